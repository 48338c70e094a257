// One decoded IL instruction (ECMA-335 §III). Offsets are byte offsets from the start of the
// method body, as ildasm prints them (IL_001a). Operands are kept raw: a metadata token, an
// integer constant, a local/argument index, or branch targets already made absolute.
using System.Reflection.Metadata;

namespace Biscuit.MaxLive.Il;

public sealed record Instruction(int Offset, ILOpCode OpCode, long Operand, int[]? Targets, int Size)
{
    /// <summary>The offset of the next instruction in the byte stream.</summary>
    public int Next => Offset + Size;

    /// <summary>The metadata token operand as a handle (for call, newobj, ldfld, newarr, box...).</summary>
    public EntityHandle Token => System.Reflection.Metadata.Ecma335.MetadataTokens.EntityHandle((int)Operand);

    public override string ToString() => $"IL_{Offset:x4}: {OpCode}";

    public static string Label(int offset) => $"IL_{offset:x4}";
}
