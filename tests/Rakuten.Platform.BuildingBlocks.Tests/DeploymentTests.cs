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
        }

        Directory.GetFiles(Path.Combine(Root, "services"), "*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .Where(p => p is not "Rakuten.Platform.BuildingBlocks" and not "Rakuten.Platform.Host")
            .Should().HaveCount(PlatformServices.Length + 1, "each service project (and the Sandbox) is deployed");
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
