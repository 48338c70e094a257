// Marks the method that serves one request type of a server. tools/maxlive starts its analysis
// at every method carrying this attribute and emits one budget (request name -> bytes) for it.
// Invariant: a request name appears on at most one handler per server (maxlive rejects duplicates).
namespace Biscuit.Annotations;

[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RequestHandlerAttribute : Attribute
{
    /// <summary>The request type this method serves, as it appears in the budget table ("Read").</summary>
    public string Request { get; }

    public RequestHandlerAttribute(string request) => Request = request;
}
