using Microsoft.Data.Sqlite;

namespace DropboxFs.Emulator.Storage;

/// <summary>
/// The one SQLite connection of the emulator (WAL) plus schema migrations by PRAGMA user_version.
/// Not thread-safe: <see cref="Service.DropboxState"/> serialises every use under its lock.
/// </summary>
internal sealed class EmulatorDatabase : IDisposable
{
    // Each entry moves the schema one version up. Append only; never edit a shipped step.
    private static readonly string[] s_migrations =
    [
        MetaTable.Schema + EntryTable.Schema + RevisionTable.Schema + ChangeLogTable.Schema
            + UploadSessionTable.Schema + TokenTable.Schema + SharedLinkTable.Schema,
        SharedLinkTable.SchemaV2,
    ];

    private readonly SqliteConnection _connection;
    private SqliteTransaction? _transaction;

    public EmulatorDatabase(string path)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = false,
        }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
        Migrate();
    }

    public SqliteCommand Command(string sql, params (string Name, object? Value)[] args)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = _transaction;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd;
    }

    public int Execute(string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, args);
        return cmd.ExecuteNonQuery();
    }

    public object? Scalar(string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, args);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, args);
        using var reader = cmd.ExecuteReader();
        var list = new List<T>();
        while (reader.Read())
        {
            list.Add(map(reader));
        }

        return list;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction; rolls back if it throws.</summary>
    public T InTransaction<T>(Func<T> work)
    {
        if (_transaction != null)
        {
            return work();
        }

        _transaction = _connection.BeginTransaction();
        try
        {
            var result = work();
            _transaction.Commit();
            return result;
        }
        catch
        {
            _transaction.Rollback();
            throw;
        }
        finally
        {
            _transaction.Dispose();
            _transaction = null;
        }
    }

    private void Migrate()
    {
        var version = Convert.ToInt32(Scalar("PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
        for (var v = version; v < s_migrations.Length; v++)
        {
            var step = v;
            InTransaction(() =>
            {
                Execute(s_migrations[step]);
                Execute($"PRAGMA user_version = {step + 1}");
                return 0;
            });
        }
    }

    public void Dispose()
    {
        _connection.Dispose(); // Pooling=false: this closes the file; other components' pools are untouched
    }
}
