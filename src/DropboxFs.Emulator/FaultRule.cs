namespace DropboxFs.Emulator;

/// <summary>What a scripted fault does to a matching request.</summary>
public enum FaultKind
{
    /// <summary>429, RateLimitError reason too_many_requests, Retry-After.</summary>
    TooManyRequests,
    /// <summary>429, RateLimitError reason too_many_write_operations, Retry-After.</summary>
    TooManyWriteOperations,
    /// <summary>500 with a plain-text body.</summary>
    InternalServerError,
    /// <summary>503 with a plain-text body and Retry-After.</summary>
    ServiceUnavailable,
    /// <summary>Abort the TCP connection: after <see cref="FaultRule.AfterBytes"/> bytes of a download body,
    /// after reading that many bytes of an upload body, or at once on other routes.</summary>
    ResetConnection,
    /// <summary>append_v2 stores the chunk but answers incorrect_offset (a lost ack); finish answers
    /// lookup_failed/incorrect_offset with the true offset.</summary>
    IncorrectOffset,
    /// <summary>list_folder/longpoll (or continue) answers 409 reset.</summary>
    LongpollReset,
    /// <summary>The write answers insufficient_space.</summary>
    InsufficientSpace,
}

/// <summary>A scripted fault: which route, what, how often.</summary>
public sealed class FaultRule
{
    /// <summary>Route name such as "files/upload" (no /2/ prefix); null matches every API route.</summary>
    public string? Route { get; init; }

    public FaultKind Kind { get; init; }

    /// <summary>How many times the rule fires; 0 = on every matching request.</summary>
    public int Times { get; init; } = 1;

    /// <summary>Probability (0..1] that a matching request triggers the rule.</summary>
    public double Rate { get; init; } = 1.0;

    /// <summary>Matching requests to let through before the rule starts firing.</summary>
    public int Skip { get; init; }

    /// <summary>Retry-After seconds for 429 and 503.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>For <see cref="FaultKind.ResetConnection"/>: body bytes that pass before the abort.</summary>
    public long AfterBytes { get; init; }
}
