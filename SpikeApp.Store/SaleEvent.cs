namespace SpikeApp.Store;

/// <summary>One entry of a sale's stream, in the order Redis wrote it.</summary>
/// <param name="EntryId">The stream entry's id, to acknowledge it once stored.</param>
/// <param name="Epoch">The incarnation that wrote it.</param>
/// <param name="Seq">Its number among the entries of that epoch.</param>
public abstract record SaleEvent(string EntryId, string SaleId, long Epoch, long Round, long Seq);
