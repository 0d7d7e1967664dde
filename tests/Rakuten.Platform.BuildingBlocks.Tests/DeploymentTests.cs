using FluentAssertions;
using YamlDotNet.RepresentationModel;

namespace Rakuten.Platform.BuildingBlocks.Tests;

/// <summary>No Docker engine or cluster here (DESIGN §8): the compose file and the manifests are checked
/// offline — they parse, and every deployable service is in them with its probes and configuration.</summary>
public sealed class DeploymentTests
{
    private static readonly string Root = FindRoot();

    private static readonly string[] PlatformServices =
        ["catalog", "inventory", "orders", "shipping", "shopify", "rakuten-jp", "rakuten-fr"];

    [Fact]
    public void Compose_runs_every_service_against_the_broker_database_and_collector()
    {
        var services = (YamlMappingNode)Load("docker-compose.yml")["services"];
        var names = services.Children.Keys.Select(k => k.ToString()).ToList();

        names.Should().Contain(["postgres", "rabbitmq", "otel-collector", "tempo", "prometheus", "grafana", "sandbox"]);
        names.Should().Contain(PlatformServices);
        foreach (var name in PlatformServices)
        {
            var service = (YamlMappingNode)services[name];
            var args = (YamlMappingNode)((YamlMappingNode)service["build"])["args"];
            File.Exists(Path.Combine(Root, args["PROJECT"].ToString())).Should().BeTrue($"{name} builds an existing project");
        }
    }

    [Fact]
    public void Every_service_project_has_a_kubernetes_deployment_with_probes_and_secret_credentials()
    {
        var base_ = Path.Combine(Root, "deploy", "k8s", "base");
        foreach (var name in PlatformServices)
        {
            var documents = LoadAll(Path.Combine(base_, $"{name}.yaml"));
            var deployment = documents.Single(d => d["kind"].ToString() == "Deployment");
            var container = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)deployment["spec"])["template"])["spec"])["containers"])[0];

            ((YamlMappingNode)((YamlMappingNode)container["readinessProbe"])["httpGet"])["path"].ToString().Should().Be("/health/ready");
            ((YamlMappingNode)((YamlMappingNode)container["livenessProbe"])["httpGet"])["path"].ToString().Should().Be("/health/live");
            var env = ((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>().ToList();
            env.Where(e => e.Children.ContainsKey("valueFrom")).Select(e => e["name"].ToString())
                .Should().BeEquivalentTo(["ConnectionStrings__Postgres", "ConnectionStrings__RabbitMq"], "credentials come from a Secret");
            File.ReadAllText(Path.Combine(base_, "kustomization.yaml")).Should().Contain($"- {name}.yaml");

            // gRPC has its own HTTP/2 port (the image listens on it: Platform__Grpc__Url), exposed by the Service as h2c.
            ((YamlSequenceNode)container["ports"]).Cast<YamlMappingNode>().Select(p => $"{p["name"]}:{p["containerPort"]}").Should().Contain("grpc:8081");
            var service = documents.Single(d => d["kind"].ToString() == "Service");
            ((YamlSequenceNode)((YamlMappingNode)service["spec"])["ports"]).Cast<YamlMappingNode>()
                .Should().Contain(p => p["name"].ToString() == "grpc" && p["targetPort"].ToString() == "grpc" && p["appProtocol"].ToString() == "kubernetes.io/h2c");
        }

        File.ReadAllText(Path.Combine(Root, "Dockerfile")).Should().Contain("Platform__Grpc__Url=http://+:8081");

        Directory.GetFiles(Path.Combine(Root, "services"), "*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .Where(p => p is not "Rakuten.Platform.BuildingBlocks" and not "Rakuten.Platform.Channels.Common" and not "Rakuten.Platform.Host") // libraries and the embedded demo
            .Should().HaveCount(PlatformServices.Length + 1, "each service project (and the Sandbox) is deployed");
    }

    [Fact]
    public void The_production_overlay_never_deploys_the_Sandbox_and_its_control_API()
    {
        var files = Resources(Path.Combine(Root, "deploy", "k8s", "overlays", "production")).ToList();
        var staging = Resources(Path.Combine(Root, "deploy", "k8s", "overlays", "staging")).ToList();

        files.Should().NotContain(f => f.Contains("sandbox", StringComparison.OrdinalIgnoreCase));
        files.SelectMany(LoadAll).Where(d => d["kind"].ToString() == "Deployment").Select(d => ((YamlMappingNode)d["metadata"])["name"].ToString())
            .Should().BeEquivalentTo(PlatformServices);
        staging.Should().Contain(f => f.EndsWith(Path.Combine("sandbox", "sandbox.yaml")), "staging runs against the Sandbox");
    }

    [Fact]
    public void Every_deployment_names_an_identity_provider_and_the_channel_services_mount_the_certificate_that_encrypts_their_key_ring()
    {
        var config = (YamlMappingNode)Load(Path.Combine("deploy", "k8s", "base", "config.yaml"))["data"];
        config.Children.Keys.Select(k => k.ToString()).Should().Contain(["Platform__Identity__Issuer", "Platform__Identity__Authority",
            "Platform__DataProtection__CertificatePath", "Platform__DataProtection__KeyPath"]);
        foreach (var name in new[] { "shopify", "rakuten-jp", "rakuten-fr" })
        {
            var deployment = LoadAll(Path.Combine(Root, "deploy", "k8s", "base", $"{name}.yaml")).Single(d => d["kind"].ToString() == "Deployment");
            var pod = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)deployment["spec"])["template"])["spec"];
            ((YamlSequenceNode)pod["volumes"]).Cast<YamlMappingNode>()
                .Should().Contain(v => v.Children.ContainsKey("secret") && ((YamlMappingNode)v["secret"])["secretName"].ToString() == "rakuten-platform-dataprotection");
        }

        var compose = (YamlMappingNode)Load("docker-compose.yml")["services"];
        foreach (var name in PlatformServices)
        {
            var environment = (YamlMappingNode)((YamlMappingNode)compose[name])["environment"];
            var merged = (YamlMappingNode)environment["<<"];
            merged.Children.Keys.Select(k => k.ToString()).Should().Contain("Platform__Identity__Issuer", $"{name} under compose trusts the local identity");
        }
    }

    [Fact]
    public async Task The_local_identity_script_makes_keys_and_tokens_that_the_platform_s_own_validation_accepts()
    {
        var state = Path.Combine(Path.GetTempPath(), "rakuten-platform-tests", "identity-" + Guid.NewGuid().ToString("N")[..8]);
        async Task<string> Run(params string[] args)
        {
            var start = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(Root, "deploy", "local", "identity.sh"), .. args])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            };
            start.Environment["PLATFORM_LOCAL_DIR"] = state;
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            process.ExitCode.Should().Be(0, await process.StandardError.ReadToEndAsync());
            return output.Trim();
        }

        var settings = (await Run("keys")).Split('\n').Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var token = await Run("token", "--tenant", "11111111-2222-4333-8444-555555555555", "--role", "operator");
        var keys = new Microsoft.IdentityModel.Tokens.JsonWebKeySet(await File.ReadAllTextAsync(settings["Platform__Identity__SigningKeysFile"]));
        var result = await new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().ValidateTokenAsync(token, new Microsoft.IdentityModel.Tokens.TokenValidationParameters
        {
            ValidIssuer = settings["Platform__Identity__Issuer"], ValidAudience = settings["Platform__Identity__Audience"], IssuerSigningKeys = keys.GetSigningKeys(),
        });

        result.IsValid.Should().BeTrue(result.Exception?.Message);
        result.Claims["tenant_id"].Should().Be("11111111-2222-4333-8444-555555555555");
        result.Claims["roles"].ToString().Should().Contain("operator");
        System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
            settings["Platform__DataProtection__CertificatePath"], settings["Platform__DataProtection__KeyPath"]).HasPrivateKey.Should().BeTrue();
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(state, "identity", "signing.key")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>The files a kustomization includes, its bases' too.</summary>
    private static IEnumerable<string> Resources(string folder)
    {
        var kustomization = (YamlMappingNode)LoadAll(Path.Combine(folder, "kustomization.yaml")).Single();
        foreach (var entry in ((YamlSequenceNode)kustomization["resources"]).Select(r => Path.GetFullPath(Path.Combine(folder, r.ToString()))))
        {
            if (Directory.Exists(entry))
            {
                foreach (var file in Resources(entry))
                {
                    yield return file;
                }
            }
            else
            {
                yield return entry;
            }
        }
    }

    private static YamlMappingNode Load(string relative) => LoadAll(Path.Combine(Root, relative)).Single();

    private static List<YamlMappingNode> LoadAll(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rakuten.Platform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Rakuten.Platform.sln not found");
    }
}
