// Decodes a method body's IL byte stream into Instructions (ECMA-335 §III.1.2 encoding: one- or
// two-byte opcodes, 0xFE prefix, little-endian operands). Operand sizes follow the opcode table
// of §III; branch targets are made absolute. Malformed IL is reported, never guessed past.
using System.Reflection.Metadata;
using Biscuit.MaxLive.Metadata;

namespace Biscuit.MaxLive.Il;

public static class IlDecoder
{
    /// <summary>The `no.` prefix (0xFE 0x19, ECMA-335 §III.2.2), which ILOpCode does not name.</summary>
    public const ILOpCode NoPrefix = (ILOpCode)0xFE19;

    public static List<Instruction> Decode(MethodBodyBlock body, string methodName)
    {
        var reader = body.GetILReader();
        var instructions = new List<Instruction>();
        while (reader.RemainingBytes > 0)
        {
            var offset = reader.Offset;
            int first = reader.ReadByte();
            ILOpCode op = first == 0xFE
                ? (reader.RemainingBytes > 0 ? (ILOpCode)(0xFE00 | reader.ReadByte()) : throw Truncated(methodName, offset))
                : (ILOpCode)first;
            long operand = 0;
            int[]? targets = null;
            try
            {
                switch (OperandKindOf(op))
                {
                    case OperandKind.None: break;
                    case OperandKind.Int8: operand = reader.ReadSByte(); break;
                    case OperandKind.UInt8: operand = reader.ReadByte(); break;
                    case OperandKind.UInt16: operand = reader.ReadUInt16(); break;
                    case OperandKind.Int32: operand = reader.ReadInt32(); break;
                    case OperandKind.Int64: operand = reader.ReadInt64(); break;
                    case OperandKind.Float32: reader.ReadSingle(); break;
                    case OperandKind.Float64: reader.ReadDouble(); break;
                    case OperandKind.Token: operand = reader.ReadInt32(); break;
                    case OperandKind.ShortBranch:
                    {
                        int delta = reader.ReadSByte();
                        targets = [reader.Offset + delta];
                        break;
                    }
                    case OperandKind.Branch:
                    {
                        int delta = reader.ReadInt32();
                        targets = [reader.Offset + delta];
                        break;
                    }
                    case OperandKind.Switch:
                    {
                        var count = reader.ReadUInt32();
                        if (count > (uint)reader.RemainingBytes / 4) throw Truncated(methodName, offset);
                        var deltas = new int[count];
                        for (int i = 0; i < count; i++) deltas[i] = reader.ReadInt32();
                        targets = deltas.Select(d => reader.Offset + d).ToArray();
                        break;
                    }
                }
            }
            catch (BadImageFormatException) { throw Truncated(methodName, offset); }
            instructions.Add(new Instruction(offset, op, operand, targets, reader.Offset - offset));
        }
        return instructions;
    }

    private static MaxLiveException Truncated(string method, int offset) =>
        new($"{method}: malformed IL at {Instruction.Label(offset)} (operand runs past the end of the body)");

    private enum OperandKind { None, Int8, UInt8, UInt16, Int32, Int64, Float32, Float64, Token, ShortBranch, Branch, Switch }

    private static OperandKind OperandKindOf(ILOpCode op) => op switch
    {
        ILOpCode.Ldarg_s or ILOpCode.Ldarga_s or ILOpCode.Starg_s or ILOpCode.Ldloc_s or ILOpCode.Ldloca_s or ILOpCode.Stloc_s
            or ILOpCode.Unaligned or NoPrefix => OperandKind.UInt8,
        ILOpCode.Ldc_i4_s => OperandKind.Int8,
        ILOpCode.Ldarg or ILOpCode.Ldarga or ILOpCode.Starg or ILOpCode.Ldloc or ILOpCode.Ldloca or ILOpCode.Stloc => OperandKind.UInt16,
        ILOpCode.Ldc_i4 => OperandKind.Int32,
        ILOpCode.Ldc_i8 => OperandKind.Int64,
        ILOpCode.Ldc_r4 => OperandKind.Float32,
        ILOpCode.Ldc_r8 => OperandKind.Float64,
        ILOpCode.Br_s or ILOpCode.Brfalse_s or ILOpCode.Brtrue_s or ILOpCode.Beq_s or ILOpCode.Bge_s or ILOpCode.Bgt_s
            or ILOpCode.Ble_s or ILOpCode.Blt_s or ILOpCode.Bne_un_s or ILOpCode.Bge_un_s or ILOpCode.Bgt_un_s
            or ILOpCode.Ble_un_s or ILOpCode.Blt_un_s or ILOpCode.Leave_s => OperandKind.ShortBranch,
        ILOpCode.Br or ILOpCode.Brfalse or ILOpCode.Brtrue or ILOpCode.Beq or ILOpCode.Bge or ILOpCode.Bgt
            or ILOpCode.Ble or ILOpCode.Blt or ILOpCode.Bne_un or ILOpCode.Bge_un or ILOpCode.Bgt_un
            or ILOpCode.Ble_un or ILOpCode.Blt_un or ILOpCode.Leave => OperandKind.Branch,
        ILOpCode.Switch => OperandKind.Switch,
        ILOpCode.Jmp or ILOpCode.Call or ILOpCode.Calli or ILOpCode.Callvirt or ILOpCode.Newobj or ILOpCode.Ldftn or ILOpCode.Ldvirtftn
            or ILOpCode.Cpobj or ILOpCode.Ldobj or ILOpCode.Ldstr or ILOpCode.Castclass or ILOpCode.Isinst or ILOpCode.Unbox
            or ILOpCode.Ldfld or ILOpCode.Ldflda or ILOpCode.Stfld or ILOpCode.Ldsfld or ILOpCode.Ldsflda or ILOpCode.Stsfld
            or ILOpCode.Stobj or ILOpCode.Box or ILOpCode.Newarr or ILOpCode.Ldelema or ILOpCode.Ldelem or ILOpCode.Stelem
            or ILOpCode.Unbox_any or ILOpCode.Refanyval or ILOpCode.Mkrefany or ILOpCode.Ldtoken or ILOpCode.Initobj
            or ILOpCode.Constrained or ILOpCode.Sizeof => OperandKind.Token,
        _ => OperandKind.None,
    };

    /// <summary>True when control never falls through to the next instruction.</summary>
    public static bool EndsBlock(ILOpCode op) => op is ILOpCode.Br or ILOpCode.Br_s or ILOpCode.Leave or ILOpCode.Leave_s
        or ILOpCode.Ret or ILOpCode.Throw or ILOpCode.Rethrow or ILOpCode.Endfinally or ILOpCode.Endfilter or ILOpCode.Jmp;
}
