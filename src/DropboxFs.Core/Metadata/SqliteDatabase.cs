using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Metadata;

/// <summary>
/// Base for every SQLite file Core owns: connection handling, one writer at a time, busy retry and
/// schema migrations keyed by <c>PRAGMA user_version</c>. Readers take a pooled connection of their
/// own (WAL lets them run beside the writer); writers serialise on <see cref="_writeLock"/>.
/// </summary>
/// <remarks>
/// Lock order: _writeLock → SQLite's own locks. Nothing that holds _writeLock awaits the network.
/// Microsoft.Data.Sqlite's async methods run synchronously, so the table classes call the sync API
/// and stay short (point reads and single-page transactions).
/// </remarks>
internal abstract class SqliteDatabase : IDisposable
{
    // SQLITE_BUSY (5) and SQLITE_LOCKED (6): another connection holds the lock; wait and retry.
    private const int BusyRetries = 20;
    private static readonly TimeSpan s_busyDelay = TimeSpan.FromMilliseconds(50);

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Stack<SqliteConnection> _readers = new();
    private readonly ILogger _logger;
    private SqliteConnection? _writer;
    private bool _disposed;

    protected SqliteDatabase(string path, bool durable, ILogger logger)
    {
        Path = path;
        Durable = durable;
        _logger = logger;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    /// <summary>synchronous=FULL (user data) instead of NORMAL (rebuildable caches).</summary>
    protected bool Durable { get; }

    /// <summary>Schema scripts; script i takes user_version from i to i+1.</summary>
    protected abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>Opens the file, applies pending migrations. Throws SqliteException when corrupt.</summary>
    protected void Initialize()
    {
        _writer = CreateConnection();
        using var cmd = _writer.CreateCommand();
        cmd.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (version > Migrations.Count)
        {
            throw new SqliteException($"schema version {version} is newer than this build knows ({Migrations.Count})", 26);
        }

        for (var i = version; i < Migrations.Count; i++)
        {
            using var tx = _writer.BeginTransaction();
            using var migrate = _writer.CreateCommand();
            migrate.Transaction = tx;
            migrate.CommandText = Migrations[i] + $";\nPRAGMA user_version = {i + 1};";
            migrate.ExecuteNonQuery();
            tx.Commit();
            _logger.LogDebug("Migrated {Path} to schema {Version}", Path, i + 1);
        }
    }

    /// <summary>True when the exception means the file is damaged and a rebuildable store should be recreated.</summary>
    public static bool IsCorruption(SqliteException e) => e.SqliteErrorCode is 11 or 26;

    public static void DeleteFiles(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            File.Delete(path + suffix);
        }
    }

    /// <summary>Runs a read on a pooled reader connection.</summary>
    public T Read<T>(Func<SqliteConnection, T> read)
    {
        var connection = RentReader();
        try
        {
            return WithBusyRetry(() => read(connection));
        }
        finally
        {
            ReturnReader(connection);
        }
    }

    /// <summary>Runs <paramref name="work"/> in one immediate transaction on the writer connection.</summary>
    public async ValueTask<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return WithBusyRetry(() =>
            {
                using var tx = _writer!.BeginTransaction(deferred: false);
                var result = work(_writer, tx);
                tx.Commit();
                return result;
            });
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// As <see cref="WriteAsync{T}"/>, without the fsync of a durable database: the commit survives a process
    /// crash (it is in the WAL) but maybe not a power cut. For progress that can be recomputed (an upload
    /// session's acked offset: a resume is corrected by the server's correct_offset).
    /// </summary>
    public async ValueTask WriteRelaxedAsync(Action<SqliteConnection, SqliteTransaction> work, CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            SetSynchronous(Durable ? "NORMAL" : null);
            try
            {
                WithBusyRetry(() =>
                {
                    using var tx = _writer!.BeginTransaction(deferred: false);
                    work(_writer, tx);
                    tx.Commit();
                    return true;
                });
            }
            finally
            {
                SetSynchronous(Durable ? "FULL" : null);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void SetSynchronous(string? mode)
    {
        if (mode is null)
        {
            return;
        }

        using var cmd = _writer!.CreateCommand();
        cmd.CommandText = $"PRAGMA synchronous={mode}";
        cmd.ExecuteNonQuery();
    }

    public ValueTask WriteAsync(Action<SqliteConnection, SqliteTransaction> work, CancellationToken ct = default) =>
        new(WriteAsync<bool>((c, t) =>
        {
            work(c, t);
            return true;
        }, ct).AsTask());

    private T WithBusyRetry<T>(Func<T> action)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return action();
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6 && attempt < BusyRetries)
            {
                Thread.Sleep(s_busyDelay);
            }
        }
    }

    private SqliteConnection CreateConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"PRAGMA journal_mode=WAL; PRAGMA synchronous={(Durable ? "FULL" : "NORMAL")}; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;";
        cmd.ExecuteNonQuery();
        return connection;
    }

    private SqliteConnection RentReader()
    {
        lock (_readers)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_readers.TryPop(out var connection))
            {
                return connection;
            }
        }

        return CreateConnection();
    }

    private void ReturnReader(SqliteConnection connection)
    {
        lock (_readers)
        {
            // 8 idle readers: more than the 2–4 concurrent kernel readers we expect, so few reopen.
            if (!_disposed && _readers.Count < 8)
            {
                _readers.Push(connection);
                return;
            }
        }

        connection.Dispose();
    }

    public void Dispose()
    {
        // Synchronous on purpose (IDisposable at shutdown): waits for the last write transaction.
        _writeLock.Wait(Timeout.Infinite);
        try
        {
            lock (_readers)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                while (_readers.TryPop(out var reader))
                {
                    reader.Dispose();
                }
            }

            _writer?.Dispose();
            SqliteConnection.ClearAllPools();
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
