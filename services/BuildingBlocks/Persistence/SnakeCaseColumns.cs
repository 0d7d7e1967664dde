using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;

namespace Rakuten.Platform.BuildingBlocks.Persistence;

/// <summary>Columns are named in snake_case after their property (<c>StreamVersion</c> → <c>stream_version</c>),
/// as the schema scripts write them; an explicit <c>HasColumnName</c> still wins.</summary>
internal sealed class SnakeCaseColumns : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        foreach (var entity in modelBuilder.Metadata.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.Builder.HasColumnName(Snake(property.Name));
            }
        }
    }

    public static string Snake(string name)
    {
        var result = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                result.Append('_');
            }

            result.Append(char.ToLowerInvariant(name[i]));
        }

        return result.ToString();
    }
}
