// The transfer function of every IL instruction (ECMA-335 §III.3 and §III.4) on the abstract
// stack: what it pops, what it pushes, which allocation node it creates and which facts it
// records. Integer bounds follow only rules that hold for every value: constants, a + b, a - c,
// x & c, x % c, x / c, x >> c (c a non-negative constant), narrowing conversions.
using System.Reflection.Metadata;
using Biscuit.MaxLive.Il;
using Biscuit.MaxLive.Layout;
using Biscuit.MaxLive.Metadata;
using TypeLayout = Biscuit.MaxLive.Layout.TypeLayout;

namespace Biscuit.MaxLive.Analysis;

public sealed partial class MethodFlow
{
    /// <summary>What a `throw` allocates besides the exception: the runtime's stack-trace record.</summary>
    public const long ThrowStackTraceBytes = 1024;

    private static AbstractValue Pop(List<AbstractValue> stack)
    {
        if (stack.Count == 0) throw new InvalidOperationException();
        var top = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return top;
    }

    private void Execute(Instruction instruction, List<AbstractValue> stack)
    {
        var op = instruction.OpCode;
        int offset = instruction.Offset;
        switch (op)
        {
            case ILOpCode.Nop or ILOpCode.Break or ILOpCode.Volatile or ILOpCode.Tail or ILOpCode.Readonly or ILOpCode.Unaligned
                or IlDecoder.NoPrefix or ILOpCode.Constrained or ILOpCode.Br or ILOpCode.Br_s or ILOpCode.Leave or ILOpCode.Leave_s
                or ILOpCode.Endfinally or ILOpCode.Rethrow:
                return;
            case ILOpCode.Ldarg_0 or ILOpCode.Ldarg_1 or ILOpCode.Ldarg_2 or ILOpCode.Ldarg_3:
                stack.Add(Arg(op - ILOpCode.Ldarg_0)); return;
            case ILOpCode.Ldarg_s or ILOpCode.Ldarg:
                stack.Add(Arg((int)instruction.Operand)); return;
            case ILOpCode.Ldarga_s or ILOpCode.Ldarga:
                stack.Add(AbstractValue.AddressOf(-1 - (int)instruction.Operand)); return;
            case ILOpCode.Starg_s or ILOpCode.Starg:
                _facts.WriteSlot(-1 - (int)instruction.Operand, Pop(stack)); return;
            case ILOpCode.Ldloc_0 or ILOpCode.Ldloc_1 or ILOpCode.Ldloc_2 or ILOpCode.Ldloc_3:
                stack.Add(Local(op - ILOpCode.Ldloc_0)); return;
            case ILOpCode.Ldloc_s or ILOpCode.Ldloc:
                stack.Add(Local((int)instruction.Operand)); return;
            case ILOpCode.Ldloca_s or ILOpCode.Ldloca:
                stack.Add(AbstractValue.AddressOf(CheckLocal((int)instruction.Operand))); return;
            case ILOpCode.Stloc_0 or ILOpCode.Stloc_1 or ILOpCode.Stloc_2 or ILOpCode.Stloc_3:
                _facts.WriteSlot(CheckLocal(op - ILOpCode.Stloc_0), Pop(stack)); return;
            case ILOpCode.Stloc_s or ILOpCode.Stloc:
                _facts.WriteSlot(CheckLocal((int)instruction.Operand), Pop(stack)); return;
            case ILOpCode.Ldnull:
                stack.Add(AbstractValue.Nothing); return;
            case >= ILOpCode.Ldc_i4_m1 and <= ILOpCode.Ldc_i4_8:
                stack.Add(AbstractValue.Constant(op - ILOpCode.Ldc_i4_0)); return;
            case ILOpCode.Ldc_i4_s or ILOpCode.Ldc_i4 or ILOpCode.Ldc_i8:
                stack.Add(AbstractValue.Constant(instruction.Operand)); return;
            case ILOpCode.Ldc_r4 or ILOpCode.Ldc_r8 or ILOpCode.Ldtoken or ILOpCode.Arglist or ILOpCode.Ldftn:
                stack.Add(AbstractValue.Nothing); return;
            case ILOpCode.Sizeof:
                stack.Add(AbstractValue.Constant(_context.Layout.ElementSize(TypeOperand(instruction)))); return;
            case ILOpCode.Ldstr:
            {
                var text = _method.Method.Def!.Value.Module.Reader.GetUserString(MetadataTokens_UserString(instruction));
                stack.Add(AbstractValue.Bounded(text.Length)); // literals are interned: no allocation
                return;
            }
            case ILOpCode.Dup:
            {
                var top = Pop(stack); stack.Add(top); stack.Add(top); return;
            }
            case ILOpCode.Pop:
                Pop(stack); return;
            case ILOpCode.Add or ILOpCode.Add_ovf or ILOpCode.Add_ovf_un:
            {
                var b = Pop(stack); var a = Pop(stack);
                stack.Add(a.Bound is { } x && b.Bound is { } y ? AbstractValue.Bounded(Saturating.Add(x, y)).WithBound(Saturating.Add(x, y), a.Exact && b.Exact) : AbstractValue.Nothing);
                return;
            }
            case ILOpCode.Mul or ILOpCode.Mul_ovf or ILOpCode.Mul_ovf_un:
            {
                var b = Pop(stack); var a = Pop(stack);
                stack.Add(a.Exact && b.Exact && a.Bound >= 0 && b.Bound >= 0 ? AbstractValue.Constant(Saturating.Multiply(a.Bound!.Value, b.Bound!.Value)) : AbstractValue.Nothing);
                return;
            }
            case ILOpCode.And:
            {
                var b = Pop(stack); var a = Pop(stack);
                long? bound = b.Exact && b.Bound >= 0 ? b.Bound : a.Exact && a.Bound >= 0 ? a.Bound : null;
                stack.Add(AbstractValue.Bounded(bound));
                return;
            }
            case ILOpCode.Rem or ILOpCode.Rem_un:
            {
                var b = Pop(stack); Pop(stack);
                stack.Add(AbstractValue.Bounded(b.Exact && b.Bound > 0 ? b.Bound - 1 : null));
                return;
            }
            case ILOpCode.Div or ILOpCode.Shr:
            {
                var b = Pop(stack); var a = Pop(stack);
                long? bound = a.Bound is { } x && x >= 0 && b.Exact && b.Bound > 0
                    ? (op == ILOpCode.Div ? x / b.Bound!.Value : b.Bound < 63 ? x >> (int)b.Bound!.Value : 0) : null;
                stack.Add(AbstractValue.Bounded(bound));
                return;
            }
            case ILOpCode.Sub or ILOpCode.Sub_ovf:
            {
                var b = Pop(stack); var a = Pop(stack);
                bool exact = a.Exact && b.Exact;
                stack.Add(a.Bound is { } x && b.Exact && b.Bound >= 0 ? AbstractValue.Bounded(x - b.Bound!.Value).WithBound(x - b.Bound!.Value, exact) : AbstractValue.Nothing);
                return;
            }
            case ILOpCode.Sub_ovf_un or ILOpCode.Div_un or ILOpCode.Or or ILOpCode.Xor
                or ILOpCode.Shl or ILOpCode.Shr_un:
                Pop(stack); Pop(stack); stack.Add(AbstractValue.Nothing); return;
            case ILOpCode.Ceq or ILOpCode.Cgt or ILOpCode.Cgt_un or ILOpCode.Clt or ILOpCode.Clt_un:
                Pop(stack); Pop(stack); stack.Add(AbstractValue.Bounded(1)); return;
            case ILOpCode.Neg or ILOpCode.Not:
                Pop(stack); stack.Add(AbstractValue.Nothing); return;
            case ILOpCode.Conv_i or ILOpCode.Conv_i4 or ILOpCode.Conv_i8 or ILOpCode.Conv_ovf_i or ILOpCode.Conv_ovf_i4 or ILOpCode.Conv_ovf_i8
                or ILOpCode.Conv_ovf_u4 or ILOpCode.Conv_ovf_u8 or ILOpCode.Conv_ovf_u or ILOpCode.Conv_ovf_i4_un or ILOpCode.Conv_ovf_i8_un
                or ILOpCode.Conv_ovf_i_un or ILOpCode.Ckfinite:
            {
                var value = Pop(stack); stack.Add(AbstractValue.Bounded(value.Bound).WithBound(value.Bound, value.Exact)); return;
            }
            case ILOpCode.Conv_u1 or ILOpCode.Conv_ovf_u1 or ILOpCode.Conv_ovf_u1_un:
                Pop(stack); stack.Add(AbstractValue.Bounded(byte.MaxValue)); return;
            case ILOpCode.Conv_u2 or ILOpCode.Conv_ovf_u2 or ILOpCode.Conv_ovf_u2_un:
                Pop(stack); stack.Add(AbstractValue.Bounded(ushort.MaxValue)); return;
            case ILOpCode.Conv_i1 or ILOpCode.Conv_ovf_i1 or ILOpCode.Conv_ovf_i1_un:
                Pop(stack); stack.Add(AbstractValue.Bounded(sbyte.MaxValue)); return;
            case ILOpCode.Conv_i2 or ILOpCode.Conv_ovf_i2 or ILOpCode.Conv_ovf_i2_un:
                Pop(stack); stack.Add(AbstractValue.Bounded(short.MaxValue)); return;
            case ILOpCode.Conv_u4 or ILOpCode.Conv_u8 or ILOpCode.Conv_u or ILOpCode.Conv_r4 or ILOpCode.Conv_r8 or ILOpCode.Conv_r_un
                or ILOpCode.Conv_ovf_u4_un or ILOpCode.Conv_ovf_u8_un or ILOpCode.Conv_ovf_u_un:
                Pop(stack); stack.Add(AbstractValue.Nothing); return;
            case ILOpCode.Brtrue or ILOpCode.Brtrue_s or ILOpCode.Brfalse or ILOpCode.Brfalse_s or ILOpCode.Switch:
                Pop(stack); return;
            case ILOpCode.Beq or ILOpCode.Beq_s or ILOpCode.Bne_un or ILOpCode.Bne_un_s or ILOpCode.Bge or ILOpCode.Bge_s
                or ILOpCode.Bge_un or ILOpCode.Bge_un_s or ILOpCode.Bgt or ILOpCode.Bgt_s or ILOpCode.Bgt_un or ILOpCode.Bgt_un_s
                or ILOpCode.Ble or ILOpCode.Ble_s or ILOpCode.Ble_un or ILOpCode.Ble_un_s or ILOpCode.Blt or ILOpCode.Blt_s
                or ILOpCode.Blt_un or ILOpCode.Blt_un_s:
                Pop(stack); Pop(stack); return;
            case ILOpCode.Ret:
                if (!(_method.Method.ReturnType is PrimitiveSig { Code: PrimitiveTypeCode.Void })) _facts.Return(Pop(stack));
                return;
            case ILOpCode.Throw:
            {
                _facts.Escape(Pop(stack));
                // Throwing also makes the runtime record where: a stack-trace buffer attached to the
                // exception (measured on CoreCLR: 176 B for a throw from a handler two frames deep;
                // it grows with depth). Charged as escaping with room for deep stacks.
                int trace = Allocate(NodeKind.Allocation, instruction.Offset, 1, ThrowStackTraceBytes,
                    $"the stack trace the runtime records when throwing ({ThrowStackTraceBytes} B)");
                _facts.Escape(AbstractValue.Of(trace));
                return;
            }
            case ILOpCode.Endfilter:
                Pop(stack); return;
            case >= ILOpCode.Ldind_i1 and <= ILOpCode.Ldind_ref:
            case ILOpCode.Ldobj:
                stack.Add(_facts.Load(Pop(stack))); return;
            case >= ILOpCode.Stind_ref and <= ILOpCode.Stind_r8:
            case ILOpCode.Stind_i:
            case ILOpCode.Stobj:
            {
                var value = Pop(stack); var address = Pop(stack);
                _facts.Store(address, value); return;
            }
            case ILOpCode.Cpobj:
            {
                var source = Pop(stack); var destination = Pop(stack);
                _facts.Store(destination, _facts.Load(source)); return;
            }
            case ILOpCode.Initobj:
                Pop(stack); return;
            case ILOpCode.Cpblk or ILOpCode.Initblk:
                Pop(stack); Pop(stack); Pop(stack); return;
            case ILOpCode.Localloc:
                Pop(stack); stack.Add(AbstractValue.Nothing); return; // stack memory, not heap
            case ILOpCode.Ldfld:
            {
                var field = FieldOperand(instruction);
                var container = Pop(stack);
                var loaded = _facts.Load(container);
                if (field.DeclaringType is NamedSig { IsValueType: true } && container.Slots.IsEmpty)
                    loaded = AbstractValue.Join(loaded, new AbstractValue(container.Nodes, container.Untracked)); // a struct value, not an address
                stack.Add(loaded.WithBound(FieldBound(field)));
                return;
            }
            case ILOpCode.Ldflda:
                FieldOperand(instruction);
                stack.Add(Pop(stack)); // an interior address stands for its container
                return;
            case ILOpCode.Stfld:
            {
                FieldOperand(instruction);
                var value = Pop(stack); var container = Pop(stack);
                _facts.Store(container, value); return;
            }
            case ILOpCode.Ldsfld:
                stack.Add(AbstractValue.Unknown.WithBound(FieldBound(FieldOperand(instruction)))); return;
            case ILOpCode.Ldsflda:
                FieldOperand(instruction); stack.Add(AbstractValue.Unknown); return;
            case ILOpCode.Stsfld:
                FieldOperand(instruction); _facts.Escape(Pop(stack)); return;
            case ILOpCode.Castclass or ILOpCode.Isinst or ILOpCode.Mkrefany or ILOpCode.Refanyval or ILOpCode.Refanytype:
                stack.Add(Pop(stack)); return;
            case ILOpCode.Unbox or ILOpCode.Unbox_any:
            {
                var boxed = Pop(stack);
                stack.Add(AbstractValue.Join(_facts.Load(boxed), new AbstractValue(boxed.Nodes, boxed.Untracked)));
                return;
            }
            case ILOpCode.Box:
            {
                var type = TypeOperand(instruction);
                var value = Pop(stack);
                if (type.IsReference) { stack.Add(value); return; } // box of a reference type is a no-op
                var size = _context.Layout.BoxSize(type);
                var id = Allocate(NodeKind.Allocation, offset, 0, size, $"box {type} ({size} B)");
                _facts.Store(AbstractValue.Of(id), value);
                stack.Add(AbstractValue.Of(id, value.Bound));
                return;
            }
            case ILOpCode.Newarr:
            {
                var element = TypeOperand(instruction);
                var length = Pop(stack);
                if (length.Bound is not { } count || count < 0)
                    throw new MaxLiveException($"new {element}[n]: no bound on the array length; derive it from a constant or a [MaxCount] field/parameter");
                var size = _context.Layout.ArraySize(element, count);
                stack.Add(AbstractValue.Of(Allocate(NodeKind.Allocation, offset, 0, size, $"new {element}[{count}] ({size} B)"), count));
                return;
            }
            case ILOpCode.Ldlen:
                stack.Add(AbstractValue.Bounded(Pop(stack).Bound)); return;
            case ILOpCode.Ldelema:
                TypeOperand(instruction); Pop(stack); stack.Add(Pop(stack)); return;
            case >= ILOpCode.Ldelem_i1 and <= ILOpCode.Ldelem_ref:
            case ILOpCode.Ldelem:
                Pop(stack); stack.Add(_facts.Load(Pop(stack))); return;
            case >= ILOpCode.Stelem_i and <= ILOpCode.Stelem_ref:
            case ILOpCode.Stelem:
            {
                var value = Pop(stack); Pop(stack); var array = Pop(stack);
                _facts.Store(array, value); return;
            }
            case ILOpCode.Ldvirtftn:
                Pop(stack); stack.Add(AbstractValue.Nothing); return;
            case ILOpCode.Call or ILOpCode.Callvirt or ILOpCode.Newobj or ILOpCode.Calli:
                Call(instruction, stack); return;
            case ILOpCode.Jmp:
                throw new MaxLiveException("jmp is not supported");
            default:
                throw new MaxLiveException($"unsupported instruction {op}");
        }
    }

    private static System.Reflection.Metadata.UserStringHandle MetadataTokens_UserString(Instruction instruction) =>
        System.Reflection.Metadata.Ecma335.MetadataTokens.UserStringHandle((int)instruction.Operand & 0x00FFFFFF);

    private AbstractValue Arg(int index) => index < _argumentCount ? _facts.Args[index]
        : throw new MaxLiveException($"argument {index} does not exist (invalid IL)");

    private AbstractValue Local(int index) => _facts.Locals[CheckLocal(index)];

    private int CheckLocal(int index) => index < _facts.Locals.Length ? index
        : throw new MaxLiveException($"local {index} does not exist (invalid IL)");
}
