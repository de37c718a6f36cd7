namespace SpikeApp.LoadGen;

public enum LoadMode
{
    /// <summary><c>POST /api/sales/{sale}/purchases</c> with a buyer id per request.</summary>
    Api,

    /// <summary><c>GET /buy/skill</c>, the seed's endpoint: an anonymous buyer per request on the default sale.</summary>
    Seed,
}
