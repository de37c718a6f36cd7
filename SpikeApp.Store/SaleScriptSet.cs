using System.Security.Cryptography;
using System.Text;

namespace SpikeApp.Store;

/// <summary>
/// The scripts that change a sale, each naming the sale so it has its own SHA1, run only as EVALSHA. Redis keeps loaded
/// scripts neither in its AOF nor on its replicas, so a restarted or failed-over server has the sale closed until the
/// ledger checks it and opens it again: the gate that keeps a Redis that came back behind the ledger from selling.
/// </summary>
internal sealed class SaleScriptSet(string saleId)
{
    public BoundScript Deduct { get; } = new(saleId, SaleScripts.Deduct);

    public BoundScript Pay { get; } = new(saleId, SaleScripts.Pay);

    public BoundScript ExpireDue { get; } = new(saleId, SaleScripts.ExpireDue);

    public BoundScript Sync { get; } = new(saleId, SaleScripts.Sync);

    /// <summary><see cref="Deduct"/> loads last, so a sale whose deduction is loaded has every script loaded.</summary>
    public IReadOnlyList<BoundScript> All => [Sync, Pay, ExpireDue, Deduct];
}

internal sealed class BoundScript(string saleId, string body)
{
    public string Text { get; } = $"-- sale {saleId}\n{body}";

#pragma warning disable CA5350 // Redis names a script by the SHA1 of its text; nothing here relies on SHA1 being hard to collide.
    public byte[] Sha1 => field ??= SHA1.HashData(Encoding.UTF8.GetBytes(Text));
#pragma warning restore CA5350
}
