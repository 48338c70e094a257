// The budget table file (JSON) that `maxlive analyze` writes and `maxlive explain` reads:
// { "server", "ok", "requests": [ { "request", "handler", "bytes", "escaping", "returned",
//   "peak", "derivation": [..], "errors": [..] } ], "errors": [..] }.
// "bytes" is -1 for a request whose budget could not be computed (it then has errors).
using System.Text.Json;
using Biscuit.MaxLive.Analysis;
using Biscuit.MaxLive.Metadata;

namespace Biscuit.MaxLive.Output;

public static class BudgetTable
{
    public static void Write(AnalysisResult result, string path)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("server", result.Server);
        json.WriteBoolean("ok", result.Ok);
        json.WriteStartArray("requests");
        foreach (var r in result.Requests)
        {
            json.WriteStartObject();
            json.WriteString("request", r.Request);
            json.WriteString("handler", r.Handler);
            json.WriteNumber("bytes", r.Bytes);
            json.WriteNumber("escaping", r.Escaping);
            json.WriteNumber("returned", r.Returned);
            json.WriteNumber("peak", r.Peak);
            WriteStrings(json, "derivation", r.Derivation);
            WriteStrings(json, "errors", r.Errors);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteStrings(json, "errors", result.Errors);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }

    public static AnalysisResult Read(string path)
    {
        if (!File.Exists(path)) throw new MaxLiveException($"budget table not found: {path} (run `maxlive analyze ... --out {path}` first)");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var requests = root.GetProperty("requests").EnumerateArray().Select(r => new RequestBudget(
                r.GetProperty("request").GetString()!, r.GetProperty("handler").GetString()!, r.GetProperty("bytes").GetInt64(),
                r.GetProperty("escaping").GetInt64(), r.GetProperty("returned").GetInt64(), r.GetProperty("peak").GetInt64(), Strings(r, "derivation"), Strings(r, "errors"))).ToList();
            return new AnalysisResult(root.GetProperty("server").GetString()!, requests, Strings(root, "errors"));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new MaxLiveException($"{path}: not a maxlive budget table ({e.Message})");
        }
    }

    private static List<string> Strings(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToList();
}
