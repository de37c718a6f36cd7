namespace SpikeApp.Hosting.Servers;

internal enum ServerMode
{
    Auto,
    Container,
    Local,
}
