using SpikeApp.LoadGen.Load;

namespace SpikeApp.LoadGen.Tests;

public class LoadPhaseTests
{
    [Fact]
    public void AtRatioZeroNobodyPaysAndAtOneEveryone()
    {
        var nobody = Phase(ratio: 0);
        var everyone = Phase(ratio: 1);

        Assert.Equal((0, 1000), (Enumerable.Range(0, 1000).Count(i => nobody.Pays(i)), Enumerable.Range(0, 1000).Count(i => everyone.Pays(i))));
    }

    [Fact]
    public void AboutTheRatioOfBuyersPay() =>
        Assert.Equal(3_056, Enumerable.Range(0, 10_000).Count(i => Phase(ratio: 0.3).Pays(i)));

    [Fact]
    public void TheSameBuyersPayInEveryRun()
    {
        var options = new LoadGenOptions { Url = new Uri("http://api"), Requests = 20, PayRatio = 0.5 };

        var first = Payers(LoadPhase.Run(options, "run1"));
        var second = Payers(LoadPhase.Run(options, "run2"));

        Assert.Equal([0, 1, 2, 3, 4, 6, 7, 9, 11, 12, 14, 15, 16, 17], first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void AReturningBuyerIsDecidedAsTheFirstTime()
    {
        var phase = Phase(ratio: 0.5) with { Users = 7 };

        Assert.All(Enumerable.Range(0, 7), buyer => Assert.Equal(phase.Pays(buyer), phase.Pays(buyer + 7)));
    }

    [Fact]
    public void TheWarmupPicksItsOwnPayers()
    {
        var options = new LoadGenOptions { Url = new Uri("http://api"), Requests = 20, Warmup = 20, PayRatio = 0.5 };

        Assert.NotEqual(Payers(LoadPhase.Run(options, "r")), Payers(LoadPhase.Warmup(options, "r")));
    }

    private static LoadPhase Phase(double ratio) => new(LoadPhase.RunName, 10_000, 1, TimeSpan.FromMinutes(1), "lg-x-", 10_000, ratio);

    private static int[] Payers(LoadPhase phase) => [.. Enumerable.Range(0, phase.Requests).Where(i => phase.Pays(i))];
}
