using System.Net;
using DropboxFs.Api;
using DropboxFs.Emulator;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Api;

public sealed class ApiResilienceTests
{
    [Fact]
    public async Task TooManyRequestsWithRetryAfterIsWaitedOutThenSucceeds()
    {
        await using var h = await ApiHarness.StartAsync();
        await h.PutAsync("/a.txt", [1, 2, 3]);
        h.Server.Control.AddFault(new FaultRule { Route = "files/get_metadata", Kind = FaultKind.TooManyRequests, RetryAfterSeconds = 3 });
        h.Server.Control.ResetRequestCounts();
        var meta = await h.Client.GetMetadataAsync("/a.txt");
        Assert.Equal("a.txt", meta.Name);
        Assert.Contains(TimeSpan.FromSeconds(3), h.Time.Delays); // the Retry-After, not a computed back-off
        Assert.Equal(2, h.Server.Control.RequestCount("files/get_metadata"));
        Assert.Equal(3, h.Client.RequestCounts["files/get_metadata"]); // the upload's identical-content check, then 2
        Assert.True(h.Client.TotalRequests >= 4);
    }

    [Fact]
    public async Task RateLimitedMutationIsRetriedBecauseNothingHappened()
    {
        await using var h = await ApiHarness.StartAsync();
        h.Server.Control.AddFault(new FaultRule { Route = "files/create_folder_v2", Kind = FaultKind.TooManyWriteOperations, RetryAfterSeconds = 1 });
        var folder = await h.Client.CreateFolderAsync("/made");
        Assert.Equal("made", folder.Name);
        Assert.Contains(TimeSpan.FromSeconds(1), h.Time.Delays);
    }

    [Fact]
    public async Task ServiceUnavailableIsRetried()
    {
        await using var h = await ApiHarness.StartAsync();
        h.Server.Control.AddFault(new FaultRule { Route = "files/list_folder", Kind = FaultKind.ServiceUnavailable, Times = 2, RetryAfterSeconds = 1 });
        var page = await h.Client.ListFolderAsync("");
        Assert.Empty(page.Entries);
        Assert.Equal(3, h.Server.Control.RequestCount("files/list_folder"));
    }

    [Fact]
    public async Task RetriesGiveUpAfterMaxRetriesWithTheServersError()
    {
        await using var h = await ApiHarness.StartAsync();
        h.Server.Control.AddFault(new FaultRule { Route = "files/list_folder", Kind = FaultKind.ServiceUnavailable, Times = 0 });
        using var client = h.NewClient(maxRetries: 2);
        var ex = await Assert.ThrowsAsync<DropboxApiException>(() => client.ListFolderAsync(""));
        Assert.Equal(503, ex.StatusCode);
        Assert.Equal(3, h.Server.Control.RequestCount("files/list_folder"));
    }

    [Fact]
    public async Task ConnectionResetOnAReadIsRetried()
    {
        await using var h = await ApiHarness.StartAsync();
        h.Server.Control.AddFault(new FaultRule { Route = "users/get_space_usage", Kind = FaultKind.ResetConnection });
        var usage = await h.Client.GetSpaceUsageAsync();
        Assert.True(usage.Allocation.Allocated > 0);
    }

    [Fact]
    public async Task MoveWhoseAnswerWasLostIsVerifiedNotRepeated()
    {
        await using var h = await ApiHarness.StartAsync();
        var file = await h.PutAsync("/from.txt", [9, 9]);
        h.Flaky.LoseResponse("files/move_v2");
        var moved = await h.Client.MoveAsync("/from.txt", "/to.txt");
        Assert.Equal("/to.txt", moved.PathLower);
        Assert.Equal(file.Id, Assert.IsType<FileMetadata>(moved).Id);
        Assert.Equal(1, h.Flaky.Forwarded("files/move_v2"));
    }

    [Fact]
    public async Task UploadWhoseAnswerWasLostIsVerifiedByContentHashNotRepeated()
    {
        await using var h = await ApiHarness.StartAsync();
        h.Flaky.LoseResponse("files/upload");
        var meta = await h.Client.UploadAsync("/lost.txt", new MemoryStream([1, 2, 3, 4]));
        Assert.Equal(ContentHash.Compute([1, 2, 3, 4]), meta.ContentHash);
        Assert.Equal(1, h.Flaky.Forwarded("files/upload"));
    }

    [Fact]
    public async Task MoveThatFailedBeforeSendingIsRepeated()
    {
        await using var h = await ApiHarness.StartAsync();
        await h.PutAsync("/m1.txt", [1]);
        h.Flaky.RefuseConnection("files/move_v2");
        var moved = await h.Client.MoveAsync("/m1.txt", "/m2.txt");
        Assert.Equal("/m2.txt", moved.PathLower);
    }

    [Fact]
    public async Task ServerErrorOnDeleteIsCheckedThenRepeatedWhenNothingHappened()
    {
        await using var h = await ApiHarness.StartAsync();
        await h.PutAsync("/del.txt", [1]);
        h.Flaky.FailWith("files/delete_v2", HttpStatusCode.InternalServerError);
        await h.Client.DeleteAsync("/del.txt");
        Assert.Null(await h.Client.TryGetMetadataAsync("/del.txt"));
        Assert.Equal(1, h.Flaky.Forwarded("files/delete_v2"));
    }

    [Fact]
    public async Task ExpiredTokenIsRefreshedOnceInvisibly()
    {
        await using var h = await ApiHarness.StartAsync();
        using var oauth = h.NewOAuth();
        var token = await oauth.AuthorizeWithLoopbackAsync(new LoopbackAuthorizeOptions { OpenBrowser = ApiOAuthTests.FollowInBackgroundAsync, Timeout = TimeSpan.FromSeconds(20) });
        var store = new TokenStore(Path.Combine(h.TempDir, "token.json"));
        var source = new RefreshingTokenSource(token, oauth, store);
        using var client = h.NewClient(source);
        await client.GetCurrentAccountAsync();
        h.Server.Control.ExpireAllAccessTokens();
        var account = await client.GetCurrentAccountAsync();
        Assert.StartsWith("dbid:", account.AccountId);
        Assert.Equal(1, source.RefreshCount);
        Assert.NotEqual(token.AccessToken, source.Current.AccessToken);
        Assert.Equal(source.Current.AccessToken, (await store.LoadAsync())!.AccessToken);
        await client.GetSpaceUsageAsync();
        Assert.Equal(1, source.RefreshCount);
    }

    [Fact]
    public async Task TokenNearExpiryIsRefreshedAheadOfTimeButShortLifetimesDoNotRefreshEveryCall()
    {
        await using var h = await ApiHarness.StartAsync(o => o.AccessTokenLifetime = TimeSpan.FromSeconds(200));
        using var oauth = h.NewOAuth();
        var token = await oauth.AuthorizeWithLoopbackAsync(new LoopbackAuthorizeOptions { OpenBrowser = ApiOAuthTests.FollowInBackgroundAsync, Timeout = TimeSpan.FromSeconds(20) });
        var source = new RefreshingTokenSource(token, oauth);
        using var client = h.NewClient(source);
        await client.GetCurrentAccountAsync(); // 200 s left < 300 s margin: refreshed before sending
        Assert.Equal(1, source.RefreshCount);
        await client.GetSpaceUsageAsync();
        await client.ListFolderAsync("");
        Assert.Equal(1, source.RefreshCount);
    }

    [Fact]
    public async Task WithoutAnEndpointRoutesGoToTheirOwnHostsAndLongpollCarriesNoAuthorization()
    {
        // Every request is refused inside the fault double, so nothing leaves the machine.
        using var flaky = new FlakyHttpHandler();
        using var client = new DropboxClient(new DropboxClientOptions { Tokens = new StaticTokenSource("t"), HttpMessageHandler = flaky, MaxRetries = 0 });
        foreach (var route in new[] { "files/list_folder", "files/download", "files/upload", "files/list_folder/longpoll", "files/upload_session/finish_batch_v2" })
        {
            flaky.RefuseConnection(route);
        }
        await Assert.ThrowsAsync<HttpRequestException>(() => client.ListFolderAsync(""));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.OpenDownloadAsync("/a"));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.UploadAsync("/a", new MemoryStream([1]), new UploadOptions { SkipIdenticalContent = false }));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.WaitForChangesAsync("c"));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.FinishUploadSessionBatchAsync([]));
        Assert.Equal("https://api.dropboxapi.com/2/files/list_folder", flaky.LastRequest("files/list_folder")!.Value.Uri.ToString());
        Assert.Equal("content.dropboxapi.com", flaky.LastRequest("files/download")!.Value.Uri.Host);
        Assert.Equal("content.dropboxapi.com", flaky.LastRequest("files/upload")!.Value.Uri.Host);
        Assert.Equal("api.dropboxapi.com", flaky.LastRequest("files/upload_session/finish_batch_v2")!.Value.Uri.Host);
        var longpoll = flaky.LastRequest("files/list_folder/longpoll")!.Value;
        Assert.Equal("notify.dropboxapi.com", longpoll.Uri.Host);
        Assert.False(longpoll.HasAuthorization);
        Assert.True(flaky.LastRequest("files/list_folder")!.Value.HasAuthorization);
    }

    [Fact]
    public async Task InvalidTokenFailsWithAuthErrorWithoutRetrying()
    {
        await using var h = await ApiHarness.StartAsync();
        using var client = h.NewClient(new StaticTokenSource("Bearer nope"));
        var ex = await Assert.ThrowsAsync<DropboxApiException>(() => client.GetCurrentAccountAsync());
        Assert.True(ex.IsAuthError);
        Assert.False(ex.IsExpiredToken);
        Assert.Equal(1, h.Flaky.Forwarded("users/get_current_account"));
    }

    [Fact]
    public async Task SessionFinishWhoseAnswerWasLostIsVerifiedNotRepeated()
    {
        await using var h = await ApiHarness.StartAsync();
        var data = ApiHarness.RandomBytes(300_000, seed: 21);
        h.Flaky.LoseResponse("files/upload_session/finish");
        var meta = await h.Client.UploadResumableAsync("/finish.bin", new MemoryStream(data), new ResumableUploadOptions { FragmentSize = 100_000 });
        Assert.Equal(ContentHash.Compute(data), meta.ContentHash);
        Assert.Equal(1, h.Flaky.Forwarded("files/upload_session/finish"));
    }

    [Fact]
    public async Task TokensNeverAppearInLogsEvenAcrossRefreshesAndRetries()
    {
        await using var h = await ApiHarness.StartAsync();
        var logs = new Infrastructure.RecordingLoggerFactory();
        using var oauth = h.NewOAuth();
        var token = await oauth.AuthorizeWithLoopbackAsync(new LoopbackAuthorizeOptions { OpenBrowser = ApiOAuthTests.FollowInBackgroundAsync, Timeout = TimeSpan.FromSeconds(20) });
        var source = new RefreshingTokenSource(token, oauth);
        using var client = new DropboxClient(new DropboxClientOptions
        {
            Endpoint = h.Server.BaseUri,
            Tokens = source,
            LoggerFactory = logs,
            TimeProvider = h.Time,
            HttpMessageHandler = h.Flaky,
        });
        h.Server.Control.AddFault(new FaultRule { Route = "files/list_folder", Kind = FaultKind.ServiceUnavailable, RetryAfterSeconds = 1 });
        await client.ListFolderAsync("");
        h.Server.Control.ExpireAllAccessTokens();
        await client.ListFolderAsync("");
        Assert.Equal(1, source.RefreshCount);
        Assert.NotEmpty(logs.Messages); // the retry and the refresh were logged…
        foreach (var secret in new[] { token.AccessToken, token.RefreshToken!, source.Current.AccessToken })
        {
            Assert.DoesNotContain(logs.Messages, m => m.Contains(secret, StringComparison.Ordinal)); // …without a token
        }
    }
}
