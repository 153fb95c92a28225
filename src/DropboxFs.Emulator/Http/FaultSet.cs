namespace DropboxFs.Emulator.Http;

/// <summary>The active fault rules with their counters; the first rule that fires wins.</summary>
internal sealed class FaultSet
{
    private readonly object _gate = new();
    private readonly List<(FaultRule Rule, int[] Counters)> _rules = [];

    public void Add(FaultRule rule)
    {
        lock (_gate)
        {
            _rules.Add((rule, new int[2]));
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _rules.Count;
            }
        }
    }

    /// <summary>The rule that fires for this request, if any (counters: [0] matched, [1] fired).</summary>
    public FaultRule? Take(string route)
    {
        lock (_gate)
        {
            foreach (var (rule, c) in _rules)
            {
                if (rule.Route != null && rule.Route != route)
                {
                    continue;
                }

                c[0]++;
                if (c[0] <= rule.Skip || (rule.Times > 0 && c[1] >= rule.Times) || (rule.Rate < 1 && Random.Shared.NextDouble() >= rule.Rate))
                {
                    continue;
                }

                c[1]++;
                return rule;
            }

            return null;
        }
    }
}
