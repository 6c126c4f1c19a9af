namespace NetGen;

/// <summary>
/// A network whose <see cref="INetwork.Cost"/> may run on two threads at once (each call in a workspace of its own)
/// and gives, on either, the value it gives alone: <see cref="Trainer.Fit"/> then computes the dev cost on another
/// thread while it computes the training cost. A network without it has its costs computed one after the other.
/// </summary>
/// <remarks>
/// Internal until the generated networks can promise it: today their <c>Cost</c> shares one batch workspace per
/// instance, so two calls at once would overwrite each other's activations.
/// </remarks>
internal interface IConcurrentCost
{
}
