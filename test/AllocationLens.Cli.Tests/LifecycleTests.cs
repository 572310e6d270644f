using System.Diagnostics;
using System.Text;
using Xunit;

namespace AllocationLens.Cli.Tests;

/// <summary>The real `allocation-lens lsp` process: it exits when the editor that started it dies.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task The_server_exits_when_its_client_process_dies()
    {
        using var client = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        var dll = typeof(Program).Assembly.Location;
        var dotnet = Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("lsp");
        using var server = Process.Start(start)!;
        server.ErrorDataReceived += (_, _) => { };
        server.BeginErrorReadLine();
        try
        {
            var json = $"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{{\"processId\":{client.Id},\"capabilities\":{{}}}}}}";
            var body = Encoding.UTF8.GetBytes(json);
            var stdin = server.StandardInput.BaseStream;
            await stdin.WriteAsync(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"));
            await stdin.WriteAsync(body);
            await stdin.FlushAsync();
            // The initialize response proves the server is up and read the processId.
            var header = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.StartsWith("Content-Length:", header);

            client.Kill();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await server.WaitForExitAsync(timeout.Token);
            Assert.True(server.HasExited);
        }
        finally
        {
            if (!server.HasExited) server.Kill();
            if (!client.HasExited) client.Kill();
        }
    }
}
