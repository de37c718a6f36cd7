using Microsoft.Extensions.Hosting;
using SpikeApp.LoadGen.CommandLine;
using SpikeApp.LoadGen.Extensions;

var commandLine = LoadGenCommandLine.Parse(args);
if (commandLine.Options is not { } options)
{
    return commandLine.WriteHelpOrError(Console.Out, Console.Error);
}

// The ab-style flags are not configuration keys (the command-line provider rejects -n), so the host gets none of them.
var builder = Host.CreateApplicationBuilder();

builder.AddServiceDefaults();
builder.AddLoadGen(options);

using var host = builder.Build();

return await host.RunLoadTestAsync();
