/*
 * interrupts.S — the entry stubs of the IDT's vectors 0..47 and the common path into C#.
 *
 * The CPU pushes SS, RSP, RFLAGS, CS, RIP (and, for vectors 8, 10-14, 17, 21, 29, 30, an error
 * code) after aligning RSP to 16 bytes (Intel SDM Vol. 3A §7.14.2 "64-Bit Mode Stack Frame").
 * Each stub pushes a zero error code where the CPU does not, then its vector number, so that the
 * frame always has the same shape (Arch/X64/InterruptFrame.cs mirrors it). The common path saves
 * the 15 general registers and calls InterruptDispatch(frame) with RSP 16-byte aligned
 * (5 + 2 + 15 = 22 quadwords), as the System V ABI requires at a call.
 *
 * Kernel entries run with interrupts off (IDT gates are interrupt gates, which clear IF), so the
 * C# handler runs to completion before the next interrupt. The handler returns the frame to
 * resume — the same one, or another thread's after a switch — and entry.S's resume_frame
 * returns to it. From ring 3 the user's x87/SSE state is saved first (the kernel's C# code
 * uses xmm registers), and resume_frame restores the resumed thread's.
 */
        .intel_syntax noprefix
        .include "frame.inc"
        .section .text

        .macro STUB_NOERR vec
        .align 16
isr_stub_\vec:
        push    0
        push    \vec
        jmp     interrupt_common
        .endm

        .macro STUB_ERR vec
        .align 16
isr_stub_\vec:
        push    \vec
        jmp     interrupt_common
        .endm

        STUB_NOERR 0
        STUB_NOERR 1
        STUB_NOERR 2
        STUB_NOERR 3
        STUB_NOERR 4
        STUB_NOERR 5
        STUB_NOERR 6
        STUB_NOERR 7
        STUB_ERR   8
        STUB_NOERR 9
        STUB_ERR   10
        STUB_ERR   11
        STUB_ERR   12
        STUB_ERR   13
        STUB_ERR   14
        STUB_NOERR 15
        STUB_NOERR 16
        STUB_ERR   17
        STUB_NOERR 18
        STUB_NOERR 19
        STUB_NOERR 20
        STUB_ERR   21
        STUB_NOERR 22
        STUB_NOERR 23
        STUB_NOERR 24
        STUB_NOERR 25
        STUB_NOERR 26
        STUB_NOERR 27
        STUB_NOERR 28
        STUB_ERR   29
        STUB_ERR   30
        STUB_NOERR 31
        .irp vec, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
        STUB_NOERR \vec
        .endr

interrupt_common:
        SAVE_GENERAL_REGISTERS
        test    qword ptr [rsp + FRAME_CS], 3
        jz      1f
        mov     rax, [rip + cpu_fpu_area]
        fxsave64 [rax]
1:      mov     rdi, rsp
        cld
        call    InterruptDispatch
        jmp     resume_frame

        /* The stubs' addresses, for Idt.cs. */
        .section .rodata
        .align 8
        .global interrupt_stub_table
interrupt_stub_table:
        .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
        .quad   isr_stub_\vec
        .endr
