namespace Rakuten.Platform.BuildingBlocks.Hosting;

/// <summary>A new file only its owner may read and write, so made from the start: there is no moment at which another
/// user of the machine could read what goes into it (a signing key, a token, credentials).</summary>
public static class OwnerOnlyFile
{
    public static FileStream CreateNew(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }
}
