using System.Text;
using FluentAssertions;
using Microsoft.AspNetCore.Http;
using Rakuten.Platform.BuildingBlocks.BulkFiles;
using Rakuten.Platform.BuildingBlocks.Security;

namespace Rakuten.Platform.BuildingBlocks.Tests;

/// <summary>Reading a merchant's bulk file (issue 21): what spreadsheets really save, and a clear 4xx for what cannot be read.</summary>
public sealed class BulkFileReadingTests
{
    private static HttpRequest Request(byte[] body, string? type)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentType = type;
        context.Request.ContentLength = body.Length;
        return context.Request;
    }

    [Fact]
    public async Task A_CSV_saved_by_Excel_with_a_byte_order_mark_semicolons_and_quoted_cells_reads_as_the_merchant_wrote_it()
    {
        var text = "\uFEFFSKU;Price;Compare at price\r\n\"SHIRT-1\";\"1 200\";\r\nMUG-1;9.5;\"12,5\"\r\n;;\r\n";
        var rows = await BulkFile.ReadAsync(Request(Encoding.UTF8.GetBytes(text), "text/csv"), ["sku", "price"], ["compare_at_price"], CancellationToken.None);

        rows.Should().HaveCount(2, "an empty line is no row");
        (rows[0].Number, rows[0]["sku"], rows[0]["price"], rows[0]["compare_at_price"]).Should().Be((2, "SHIRT-1", "1 200", null));
        (rows[1].Number, rows[1]["price"], rows[1]["compare_at_price"]).Should().Be((3, "9.5", "12,5"));
    }

    [Fact]
    public async Task What_cannot_be_read_is_a_4xx_naming_why()
    {
        var broken = await FluentActions.Awaiting(() => BulkFile.ReadAsync(Request([(byte)'P', (byte)'K', 3, 4, 0, 0, 9, 9], null), ["sku"], [], CancellationToken.None))
            .Should().ThrowAsync<PlatformProblem>();
        (broken.Which.Status, broken.Which.Detail).Should().Be((400, "file: is not a readable .xlsx workbook (save it again from Excel, or send CSV)"));

        var json = await FluentActions.Awaiting(() => BulkFile.ReadAsync(Request("{}"u8.ToArray(), "application/json"), ["sku"], [], CancellationToken.None))
            .Should().ThrowAsync<PlatformProblem>();
        json.Which.Status.Should().Be(415);

        var large = await FluentActions.Awaiting(() => BulkFile.ReadAsync(Request(new byte[BulkFile.MaxBytes + 1], "text/csv"), ["sku"], [], CancellationToken.None))
            .Should().ThrowAsync<PlatformProblem>();
        large.Which.Status.Should().Be(413);

        var empty = await FluentActions.Awaiting(() => BulkFile.ReadAsync(Request([], "text/csv"), ["sku"], [], CancellationToken.None)).Should().ThrowAsync<PlatformProblem>();
        empty.Which.Detail.Should().Contain("empty");
    }
}
