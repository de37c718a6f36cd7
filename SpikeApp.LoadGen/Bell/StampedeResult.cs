namespace SpikeApp.LoadGen.Bell;

/// <summary>What the buyers saw of the opening, on this machine's clock corrected to the opening's.</summary>
/// <param name="Connected">Connections whose request before the opening was answered.</param>
/// <param name="Late">How long after the opening the buyers were released: about zero, unless the opening had passed.</param>
/// <param name="FirstSale">From the opening to the first 201 (seed: code 1); null when nothing sold.</param>
/// <param name="LastSale">From the opening to the last one: the sale sold out then, if it did.</param>
/// <param name="FirstSecondAnswers">Answers within the first second after the release, or the whole run when shorter (<paramref name="FirstSecondLength"/>).</param>
/// <param name="TurnedAway">"Not open" answers to requests sent after the opening and its grace: buyers turned away after the bell.</param>
/// <param name="AnswersByTenth">Answers in each tenth of a second of the first two after the release.</param>
public sealed record StampedeResult(
    Opening Opening,
    long Connected,
    int Connections,
    TimeSpan Late,
    TimeSpan? FirstSale,
    TimeSpan? LastSale,
    long FirstSecondAnswers,
    TimeSpan FirstSecondLength,
    long TurnedAway,
    IReadOnlyList<long> AnswersByTenth);
