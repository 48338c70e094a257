// Specification of how boot sizes the kernel's object pools (microkernel/Kernel/Memory/BootPools.cs).
using Biscuit.Kernel.Memory;

namespace Biscuit.Kernel.Tests;

public unsafe class PoolPlanTests
{
    private const ulong MiB = 1 << 20;

    [Fact]
    public void Capacities_scale_with_memory_within_fixed_bounds()
    {
        Assert.Equal(PoolPlan.MinThreads, PoolPlan.ForMemory(8 * MiB).Threads);
        Assert.Equal(1024UL, PoolPlan.ForMemory(512 * MiB).Threads);
        Assert.Equal(PoolPlan.MaxThreads, PoolPlan.ForMemory(64UL * 1024 * MiB).Threads);
    }

    [Fact]
    public void Every_thread_gets_a_kernel_stack_and_an_IPC_buffer()
    {
        var plan = PoolPlan.ForMemory(256 * MiB);
        Assert.Equal(plan.Capacity[(int)PoolKind.Threads], plan.Capacity[(int)PoolKind.KernelStacks]);
        Assert.Equal(plan.Capacity[(int)PoolKind.Threads], plan.Capacity[(int)PoolKind.IpcBuffers]);
        Assert.True(plan.BytesOf(PoolKind.KernelStacks) >= plan.Threads * PoolPlan.KernelStackBytes);
    }

    [Fact]
    public void The_plan_fits_in_the_memory_it_was_sized_for_down_to_a_minimum()
    {
        foreach (ulong mib in new ulong[] { 24, 64, 512, 4096 })
        {
            var plan = PoolPlan.ForMemory(mib * MiB);
            Assert.True(plan.FitsIn(mib * MiB), $"{mib} MiB");
            Assert.Equal(0UL, plan.BytesOf(PoolKind.Endpoints) % FramePool.FrameSize);
        }
    }

    [Fact]
    public void Too_little_memory_is_detected_rather_than_overcommitted()
    {
        var plan = PoolPlan.ForMemory(12 * MiB);
        Assert.False(plan.FitsIn(12 * MiB));
        Assert.True(plan.TotalBytes + PoolPlan.MinimumUserBytes > 12 * MiB);
    }
}
