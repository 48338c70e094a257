// Prints the budget table maxlive compiled into this program.
foreach (var (request, bytes) in Biscuit.Generated.MaxLiveBudgets.All)
    Console.WriteLine($"{request}={bytes}");
Console.WriteLine(Biscuit.Generated.MaxLiveBudgets.TryGetBudget("Ping", out var ping) ? $"lookup Ping={ping}" : "lookup failed");
