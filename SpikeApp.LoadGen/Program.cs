using Microsoft.Extensions.Hosting;
using SpikeApp.LoadGen;
using SpikeApp.LoadGen.CommandLine;
using SpikeApp.LoadGen.Extensions;

return await new LoadGenCommand().InvokeAsync(args, RunLoadTestAsync, Console.Out, Console.Error);

static async Task<int> RunLoadTestAsync(LoadGenOptions options)
{
    // The ab-style flags are not configuration keys (the command-line provider rejects -n), so the host gets none of them.
    var builder = Host.CreateApplicationBuilder();

    builder.AddServiceDefaults();
    builder.AddLoadGen(options);

    using var host = builder.Build();

    return await host.RunLoadTestAsync(Console.Out, Console.Error);
}
