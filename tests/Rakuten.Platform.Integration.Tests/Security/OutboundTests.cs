using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests.Security;

/// <summary>Connecting a shop cannot make the platform call into the network it runs in, nor tell whether a port is open
/// (issue 17, item 4): loopback, private ranges, metadata, a name that resolves to loopback, a redirect to loopback,
/// plain http and other schemes — against a live Sandbox, a live redirecting server and a listener that counts every
/// connection made to it.</summary>
public sealed class OutboundTests
{
    private sealed class Trap : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private int _accepted;

        public Trap()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Accepted => Volatile.Read(ref _accepted);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync();
                    Interlocked.Increment(ref _accepted);
                }
            }
            catch (ObjectDisposedException)
            {
                // stopped
            }
            catch (SocketException)
            {
                // stopped
            }
        }

        public void Dispose() => _listener.Stop();
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // free again once stopped: nothing listens there
    }

    [Fact]
    public async Task Addresses_inside_the_network_are_refused_before_and_after_DNS_and_redirects_with_one_message_that_reveals_no_port()
    {
        using var trap = new Trap();
        var redirector = WebApplication.CreateBuilder();
        redirector.Logging.ClearProviders();
        redirector.WebHost.UseUrls("http://127.0.0.1:0");
        await using var redirect = redirector.Build();
        redirect.Run(context =>
        {
            context.Response.Redirect($"http://127.0.0.1:{trap.Port}{context.Request.Path}");
            return Task.CompletedTask;
        });
        await redirect.StartAsync();
        var redirectUrl = redirect.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

        // The Sandbox is allowed (by the address it listens on); so are a name for it (localhost) and the redirecting server,
        // as an operator might: the name still resolves to loopback, and the redirect still points inside.
        await using var hosts = await ChannelHosts.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Platform:Outbound:AllowedOrigins:1"] = redirectUrl,
        });
        var sandboxPort = new Uri(hosts.SandboxUrl).Port;
        hosts.Services.GetRequiredService<Channels.Common.OutboundPolicy>().Allow($"http://localhost:{sandboxPort}");
        (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = "777777", serviceSecret = "sec-ssrf", licenseKey = "key-ssrf" })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.DeleteAsync("/control/calls")).EnsureSuccessStatusCode();

        async Task<(int Status, string Title, string Detail)> Connect(string baseUrl)
        {
            var response = await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections",
                new { name = "probe", baseUrl, credentials = new { serviceSecret = "sec-ssrf", licenseKey = "key-ssrf" } });
            var body = await response.Content.ReadFromJsonAsync<JsonObject>();
            return ((int)response.StatusCode, body?["title"]?.GetValue<string>() ?? "", body?["detail"]?.GetValue<string>() ?? "");
        }

        var refusedOrUnreached = new Dictionary<string, (int, string, string)>
        {
            ["loopback, open port"] = await Connect($"http://127.0.0.1:{trap.Port}/"),
            ["loopback, closed port"] = await Connect($"http://127.0.0.1:{ClosedPort()}/"),
            ["loopback over https"] = await Connect($"https://127.0.0.1:{trap.Port}/"),
            ["IPv6 loopback"] = await Connect($"https://[::1]:{trap.Port}/"),
            ["private range"] = await Connect("https://10.0.0.1/"),
            ["private range 192.168"] = await Connect("https://192.168.1.1/"),
            ["cloud metadata"] = await Connect("http://169.254.169.254/latest/meta-data/"),
            ["IPv6 unique local"] = await Connect("https://[fd00:ec2::254]/"),
            ["official host over http"] = await Connect("http://api.rms.rakuten.co.jp/"),
            ["official host, other port"] = await Connect($"https://api.rms.rakuten.co.jp:{trap.Port}/"),
            ["a name that resolves to loopback"] = await Connect($"http://localhost:{sandboxPort}/rms"),
            ["a redirect to loopback"] = await Connect($"{redirectUrl}/rms"),
        };
        var otherSchemes = new[] { "ftp://127.0.0.1/", "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "https://user:pw@api.rms.rakuten.co.jp/", "no-scheme" };
        var shapes = new List<HttpResponseMessage>();
        foreach (var url in otherSchemes)
        {
            shapes.Add(await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections",
                new { name = "probe", baseUrl = url, credentials = new { serviceSecret = "sec-ssrf", licenseKey = "key-ssrf" } }));
        }

        var allowed = await Connect(hosts.SandboxUrl + "/rms");
        var calls = await hosts.Sandbox.GetFromJsonAsync<JsonArray>("/control/calls?api=rms");

        refusedOrUnreached.Values.Distinct().Should().ContainSingle("a refused address, a closed port and an open one all read the same");
        refusedOrUnreached.Values.First().Should().Be((422, "RMS could not be reached at this address.",
            "Leave baseUrl out to use the marketplace's own API, or use an address the platform's operator allowed; if it is right, try again later."));
        trap.Accepted.Should().Be(0, "no connection was ever opened to the trap: not directly, not through the redirect");
        shapes.Should().AllSatisfy(r => r.StatusCode.Should().Be(HttpStatusCode.BadRequest));
        foreach (var response in shapes)
        {
            (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["baseUrl"].Should().NotBeNull();
        }

        allowed.Status.Should().Be(201, "the operator's allowed Sandbox address works");
        calls!.Sum(c => c!["count"]!.GetValue<int>()).Should().Be(3, "only the allowed connection reached the Sandbox (expiry, shopMaster, searchOrder)");
        await using var scope = hosts.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<Channels.RakutenJp.RakutenJpDbContext>().Connections.CountAsync()).Should().Be(1);
    }
}
