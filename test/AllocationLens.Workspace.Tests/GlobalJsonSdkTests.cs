using Xunit;

namespace AllocationLens.Workspace.Tests;

/// <summary>
/// The dotnet host's SDK selection for a global.json pin, as documented for each rollForward policy
/// (learn.microsoft.com, "global.json overview"), on a machine with a spread of SDKs installed.
/// </summary>
public sealed class GlobalJsonSdkTests
{
    private static readonly Version[] Installed =
        [new(8, 0, 100), new(8, 0, 105), new(8, 0, 204), new(8, 0, 302), new(9, 0, 101), new(10, 0, 100), new(10, 0, 401)];

    [Theory]
    // The default (a version without a policy) is latestPatch: the newest patch of the pinned feature band.
    [InlineData("8.0.100", "latestPatch", "8.0.105")]
    [InlineData("8.0.103", "latestPatch", "8.0.105")]
    [InlineData("8.0.106", "latestPatch", null)]
    // patch prefers the pinned version itself, then the newest patch of its band.
    [InlineData("8.0.100", "patch", "8.0.100")]
    [InlineData("8.0.101", "patch", "8.0.105")]
    // feature: the newest patch of the band, else of the next band up in the same major.minor.
    [InlineData("8.0.100", "feature", "8.0.105")]
    [InlineData("8.0.110", "feature", "8.0.204")]
    [InlineData("8.0.400", "feature", null)]
    // minor and major go on to the next minor, or major, when no band above is left.
    [InlineData("8.0.400", "minor", null)]
    [InlineData("8.0.400", "major", "9.0.101")]
    [InlineData("8.0.100", "latestFeature", "8.0.302")]
    [InlineData("8.0.100", "latestMinor", "8.0.302")]
    [InlineData("8.0.100", "latestMajor", "10.0.401")]
    [InlineData("10.0.400", "latestPatch", "10.0.401")]
    [InlineData("10.0.100", "disable", "10.0.100")]
    [InlineData("10.0.101", "disable", null)]
    [InlineData("10.0.100", "somethingElse", null)]
    public void Selects_the_SDK_the_host_selects(string pinned, string policy, string? expected)
    {
        Assert.Equal(expected is null ? null : Version.Parse(expected), GlobalJsonSdk.Select(Version.Parse(pinned), policy, Installed));
    }

    [Fact]
    public void Allows_the_registered_SDK_only_where_global_json_selects_it()
    {
        var root = Path.Combine(Path.GetTempPath(), "allocation-lens-sdkpin-" + Guid.NewGuid().ToString("N")[..8]);
        var registered = new Version(10, 0, 401);
        try
        {
            var inner = Path.Combine(root, "src", "Lib");
            Directory.CreateDirectory(inner);
            // No global.json: the host takes the newest SDK.
            Assert.True(GlobalJsonSdk.Allows(inner, registered, Installed));
            Assert.False(GlobalJsonSdk.Allows(inner, new Version(10, 0, 100), Installed));
            File.WriteAllText(Path.Combine(root, "global.json"), """{ "sdk": { "version": "10.0.400" } }""");
            Assert.True(GlobalJsonSdk.Allows(inner, registered, Installed));
            File.WriteAllText(Path.Combine(root, "global.json"), """{ "sdk": { "version": "10.0.100", "rollForward": "latestPatch" } }""");
            Assert.False(GlobalJsonSdk.Allows(inner, registered, Installed));
            // Comments and trailing commas are accepted by the host, and so here; a prerelease pin is left to the build host.
            File.WriteAllText(Path.Combine(root, "global.json"), "{ // pinned\n \"sdk\": { \"version\": \"10.0.100\", \"rollForward\": \"latestFeature\", }, }");
            Assert.True(GlobalJsonSdk.Allows(inner, registered, Installed));
            File.WriteAllText(Path.Combine(root, "global.json"), """{ "sdk": { "version": "11.0.100-preview.1" } }""");
            Assert.False(GlobalJsonSdk.Allows(inner, registered, Installed));
            // A global.json without an SDK pin (only msbuild-sdks, say) selects the newest.
            File.WriteAllText(Path.Combine(root, "global.json"), """{ "msbuild-sdks": { "Cake.Sdk": "6.2.0" } }""");
            Assert.True(GlobalJsonSdk.Allows(inner, registered, Installed));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
