/*
 * runtime.S — the two runtime helpers ILC-generated code calls with a non-standard register
 * contract, which C# cannot implement.
 */
        .intel_syntax noprefix
        .section .text

        /* RhpByRefAssignRef: copy the reference at [rsi] to [rdi], advance both by 8.
           May clobber only rcx and r10/r11 (ILC's contract); no GC, so no barrier. */
        .global RhpByRefAssignRef
RhpByRefAssignRef:
        mov     rcx, [rsi]
        mov     [rdi], rcx
        add     rdi, 8
        add     rsi, 8
        ret
