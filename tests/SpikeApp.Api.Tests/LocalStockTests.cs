using SpikeApp.Api.Stock;
using SpikeApp.Contracts;
using SpikeApp.Store;

namespace SpikeApp.Api.Tests;

public class LocalStockTests
{
    [Fact]
    public void SixtyFourThreadsSellExactlyTheSlice()
    {
        // A large slice keeps the threads racing for a while: that is when a lost compare-exchange shows.
        const int slice = 200_000, threads = 64, attemptsPerThread = 6_250;
        var stock = new LocalStock(slice);
        var taken = new int[threads];
        var takenAfterARefusal = new int[threads];
        var lowestRemainingSeen = new int[threads];
        using var start = new Barrier(threads);

        var workers = Enumerable.Range(0, threads).Select(index => new Thread(() =>
        {
            // Counted in locals, written once: shared writes in the loop would slow it and hide the races it looks for.
            int mine = 0, mineAfterARefusal = 0, lowest = int.MaxValue;
            var refused = false;
            start.SignalAndWait();
            for (var attempt = 0; attempt < attemptsPerThread; attempt++)
            {
                if (stock.TryTake())
                {
                    mine++;
                    mineAfterARefusal += refused ? 1 : 0;
                }
                else
                {
                    refused = true;
                }

                lowest = Math.Min(lowest, stock.Remaining);
            }

            (taken[index], takenAfterARefusal[index], lowestRemainingSeen[index]) = (mine, mineAfterARefusal, lowest);
        })).ToList();
        workers.ForEach(worker => worker.Start());
        workers.ForEach(worker => worker.Join());

        Assert.Equal(slice, taken.Sum());
        // Nothing is returned here, so the slice only shrinks: a unit taken after a refusal means that refusal lost a race, not the stock.
        Assert.Equal(0, takenAfterARefusal.Sum());
        // LocalStock promises the count never dips below zero, not even for a moment between two threads.
        Assert.Equal(0, lowestRemainingSeen.Min());
        Assert.Equal(0, stock.Remaining);
        Assert.False(stock.TryTake());
    }

    [Fact]
    public void ReturnedUnitCanBeSoldAgainButNoMore()
    {
        var stock = new LocalStock(2);

        Assert.True(stock.TryTake());
        Assert.True(stock.TryTake());
        Assert.False(stock.TryTake());
        stock.Return();

        Assert.Equal(1, stock.Remaining);
        Assert.True(stock.TryTake());
        Assert.False(stock.TryTake());
        Assert.Equal(0, stock.Remaining);
    }

    [Theory]
    [InlineData(1000, 3, 0.2, 400)]
    [InlineData(2000, 3, 0.2, 800)]
    [InlineData(100, 1, 0.0, 100)]
    [InlineData(10, 4, 0.0, 3)]
    [InlineData(10, 2, 5.0, 10)]
    public void SliceIsTheBufferedEvenShareCappedAtTheTotal(int total, int replicas, double buffer, int expected)
    {
        var options = new SpikeOptions { BufferRatio = buffer };

        Assert.Equal(expected, options.SliceFor(total, replicas));
    }

    [Fact]
    public void ExplicitSliceSizeWins()
    {
        Assert.Equal(7, new SpikeOptions { SliceSize = 7 }.SliceFor(1000, 3));
    }

    [Theory]
    [InlineData("default", true)]
    [InlineData("A-z_09", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("a b", false)]
    [InlineData("{x}", false)]
    [InlineData("a:b", false)]
    [InlineData("a*", false)]
    [InlineData("../etc", false)]
    [InlineData("ünï", false)]
    public void IdsAcceptOnlyTheSafeAlphabet(string? id, bool valid)
    {
        Assert.Equal(valid, Ids.IsValid(id));
    }

    [Fact]
    public void IdsRejectMoreThanSixtyFourCharacters()
    {
        Assert.True(Ids.IsValid(new string('a', 64)));
        Assert.False(Ids.IsValid(new string('a', 65)));
    }

    [Theory]
    [InlineData(null, "service.instance.id=abc123,service.name=api", "abc123")]
    [InlineData("given", "service.instance.id=abc123", "given")]
    public void ReplicaIdPrefersConfigurationThenAspireInstanceId(string? configured, string attributes, string expected)
    {
        Assert.Equal(expected, InstanceNames.Resolve(configured, attributes));
    }

    [Fact]
    public void ReplicaIdIsReducedToTheIdAlphabet()
    {
        Assert.Equal("api-x-y", InstanceNames.Resolve(null, "service.instance.id=api:x y"));
    }
}
