namespace SpikeApp.Store;

public abstract record SaleEvent(string EntryId, string SaleId, long Epoch, long Round, long Seq);
