/*
 * entry.S — the kernel's other doors: SYSCALL from ring 3, the way back to any saved frame, the
 * idle loop, and the x87/SSE save area helpers.
 *
 * SYSCALL (Intel SDM Vol. 2B, SYSCALL; Vol. 3A §5.8.8): RCX <- user RIP, R11 <- user RFLAGS,
 * RFLAGS &= ~IA32_FMASK (we mask IF, TF, DF, AC: the kernel runs with interrupts off), CS/SS from
 * IA32_STAR; RSP is NOT switched. So the entry switches to the current thread's kernel stack
 * (cpu_kernel_stack_top) and builds the same InterruptFrame that interrupts build, with vector
 * 256, so that one C# structure describes every saved user context.
 *
 * Invariants: cpu_kernel_stack_top and cpu_fpu_area always belong to the thread that runs in
 * ring 3 (the scheduler sets both, with TSS.RSP0, before resuming a user frame); a user frame is
 * always at the top of its thread's kernel stack.
 */
        .intel_syntax noprefix
        .include "frame.inc"
        .set    USER_DATA, 0x23
        .set    USER_CODE, 0x2B
        .set    SYSCALL_VECTOR, 256

        .section .bss
        .align 16
        .global cpu_kernel_stack_top, cpu_fpu_area
cpu_kernel_stack_top:   .quad 0
cpu_fpu_area:           .quad 0
cpu_user_rsp_scratch:   .quad 0

        .section .text
        .global syscall_entry
        .type syscall_entry, @function
syscall_entry:
        mov     [rip + cpu_user_rsp_scratch], rsp
        mov     rsp, [rip + cpu_kernel_stack_top]
        push    USER_DATA                        /* ss */
        push    qword ptr [rip + cpu_user_rsp_scratch]
        push    r11                              /* rflags */
        push    USER_CODE                        /* cs */
        push    rcx                              /* rip */
        push    0                                /* error code */
        push    SYSCALL_VECTOR
        SAVE_GENERAL_REGISTERS
        mov     rax, [rip + cpu_fpu_area]
        fxsave64 [rax]
        mov     rdi, rsp
        cld
        call    SyscallDispatch
        /* fall through: rax = the frame to resume */

        /* resume_frame(frame): restore the registers of `frame` and return to it with IRETQ.
           If it is a user frame, first restore that thread's x87/SSE state. */
        .global resume_frame
        .type resume_frame, @function
resume_frame:
        mov     rsp, rax
        test    qword ptr [rsp + FRAME_CS], 3
        jz      1f
        mov     rax, [rip + cpu_fpu_area]
        fxrstor64 [rax]
1:      RESTORE_GENERAL_REGISTERS
        add     rsp, 16                          /* vector and error code */
        iretq

        /* resume_first(frame): leave boot and enter the scheduler's first choice. */
        .global resume_first
        .type resume_first, @function
resume_first:
        mov     rax, rdi
        jmp     resume_frame

        /* The idle "thread": ring 0, interrupts on, halting until the next interrupt. The
           scheduler builds a fresh frame for it whenever nothing else can run. */
        .global idle_loop
        .type idle_loop, @function
idle_loop:
        sti
        hlt
        jmp     idle_loop

        .global cpu_fxsave
        .type cpu_fxsave, @function
cpu_fxsave:
        fxsave64 [rdi]
        ret
        .global cpu_fninit
        .type cpu_fninit, @function
cpu_fninit:
        fninit
        ret

        /* Addresses C# needs: the per-CPU block (kernel stack top, FPU area) and idle_loop. */
        .global cpu_state_address
        .type cpu_state_address, @function
cpu_state_address:
        lea     rax, [rip + cpu_kernel_stack_top]
        ret
        .global cpu_idle_loop_address
        .type cpu_idle_loop_address, @function
cpu_idle_loop_address:
        lea     rax, [rip + idle_loop]
        ret
        .global cpu_syscall_entry_address
        .type cpu_syscall_entry_address, @function
cpu_syscall_entry_address:
        lea     rax, [rip + syscall_entry]
        ret
