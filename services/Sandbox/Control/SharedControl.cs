using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.Control;

public sealed record AdvanceClock(double Seconds);

public sealed record RateLimitSettings(bool Enabled);

public static class SharedControl
{
    public static void Map(RouteGroupBuilder control, SandboxState state)
    {
        var group = control.WithTags("Control: calls, faults, clock");

        group.MapGet("/calls", (string? api) => Results.Ok(state.Calls.Snapshot().Where(c => api is null || c.Api == api)));
        group.MapDelete("/calls", () =>
        {
            state.Calls.Clear();
            return Results.NoContent();
        });

        group.MapPost("/faults", (FaultRule rule) =>
        {
            try
            {
                var id = state.Faults.Add(rule);
                return Results.Created($"/control/faults/{id}", new { id });
            }
            catch (ArgumentException ex)
            {
                return Results.BadRequest(new { errors = new[] { ex.Message } });
            }
        });
        group.MapGet("/faults", () => Results.Ok(state.Faults.List()));
        group.MapDelete("/faults", () =>
        {
            state.Faults.Clear();
            return Results.NoContent();
        });

        group.MapPut("/rate-limits", (RateLimitSettings settings) =>
        {
            state.Limits.Enabled = settings.Enabled;
            state.Limits.Reset();
            return Results.Ok(settings);
        });

        group.MapPost("/clock/advance", (AdvanceClock request) =>
        {
            if (request.Seconds < 0) return Results.BadRequest(new { errors = new[] { "the clock only moves forward" } });
            state.Clock.Advance(TimeSpan.FromSeconds(request.Seconds));
            return Results.Ok(new { now = state.Clock.GetUtcNow(), offset = state.Clock.Offset });
        });
        group.MapGet("/clock", () => Results.Ok(new { now = state.Clock.GetUtcNow(), offset = state.Clock.Offset }));
    }
}
