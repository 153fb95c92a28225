using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Service;

namespace DropboxFs.Emulator.Handlers;

/// <summary>users/get_current_account, users/get_space_usage, check/user (§5.17, §5.18, §5.20).</summary>
internal static class UsersHandlers
{
    /// <summary>Exactly 40 characters, as [py] validates.</summary>
    public const string AccountId = "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc";

    public const string Uid = "12345678";

    public static Task GetCurrentAccountAsync(ApiRequest req)
    {
        req.Args.Done();
        return req.OkAsync(new JsonObject
        {
            ["account_id"] = AccountId,
            ["name"] = new JsonObject
            {
                ["given_name"] = "Emulated",
                ["surname"] = "User",
                ["familiar_name"] = "Emulated",
                ["display_name"] = "Emulated User",
                ["abbreviated_name"] = "EU",
            },
            ["email"] = "emulated.user@example.invalid",
            ["email_verified"] = true,
            ["disabled"] = false,
            ["country"] = "US",
            ["locale"] = "en",
            ["referral_link"] = new Uri(req.Runtime.BaseUri, "referrals/emulator").ToString(),
            ["is_paired"] = false,
            ["account_type"] = Errors.Tag("basic"),
            ["root_info"] = new JsonObject
            {
                [".tag"] = "user",
                ["root_namespace_id"] = DropboxState.NamespaceId,
                ["home_namespace_id"] = DropboxState.NamespaceId,
            },
        });
    }

    public static async Task GetSpaceUsageAsync(ApiRequest req)
    {
        req.Args.Done();
        var used = await req.RunAsync(() => req.State.UsedBytesLocked);
        await req.OkAsync(new JsonObject
        {
            ["used"] = used,
            ["allocation"] = Errors.Inline("individual", ("allocated", req.State.QuotaBytes)),
        });
    }

    public static Task CheckUserAsync(ApiRequest req)
    {
        var query = req.Args.OptString("query", 500) ?? "";
        req.Args.Done();
        return req.OkAsync(new JsonObject { ["result"] = query });
    }
}
