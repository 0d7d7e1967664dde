using System.Collections.Concurrent;

namespace Rakuten.Platform.BuildingBlocks.EventSourcing;

/// <summary>How an aggregate's state is rebuilt from its stream: its first state and a pure <c>Apply</c>. Both stores use
/// the same functions — Marten in its inline snapshot projection, the table store when it folds a stream.</summary>
public sealed record AggregateDefinition(Type StateType, Func<string, object> Initial, Func<object, object, object> Apply);

/// <summary>The aggregates of the process, by state type.</summary>
public sealed class EventAggregates
{
    private readonly ConcurrentDictionary<Type, AggregateDefinition> _byType = new();

    /// <param name="initial">The state of a stream before its first event (from its id).</param>
    /// <param name="apply">The pure fold: state and one event's data → the next state; an event it does not know leaves the state as it is.</param>
    public void Register<TState>(Func<string, TState> initial, Func<TState, object, TState> apply) where TState : class =>
        _byType[typeof(TState)] = new AggregateDefinition(typeof(TState), id => initial(id), (s, e) => apply((TState)s, e));

    public void Register(AggregateDefinition definition) => _byType[definition.StateType] = definition;

    public IEnumerable<AggregateDefinition> All => _byType.Values;

    public AggregateDefinition For(Type stateType) =>
        _byType.TryGetValue(stateType, out var definition)
            ? definition
            : throw new InvalidOperationException($"{stateType.FullName} is not a registered aggregate: register it with AddEventStreams.");
}
