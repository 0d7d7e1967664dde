using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Http;
using MiniExcelLibs;
using Rakuten.Platform.BuildingBlocks.Security;

namespace Rakuten.Platform.BuildingBlocks.BulkFiles;

/// <summary>A merchant's spreadsheet: CSV (UTF-8, a header row) or Excel (.xlsx, the first sheet, a header row).</summary>
public enum BulkFormat
{
    Csv,
    Xlsx,
}

/// <summary>One data row as the merchant sees it in their spreadsheet (<c>Number</c> 2 is the first row under the header),
/// its cells by column, trimmed; an empty cell is null.</summary>
public sealed record BulkRow(int Number, IReadOnlyDictionary<string, string?> Cells)
{
    public string? this[string column] => Cells.GetValueOrDefault(column);
}

/// <summary>What the import does (or, in a dry run, would do) with one row; its errors name the column.</summary>
public sealed record RowOutcome(int Row, string Outcome, IReadOnlyList<CellError> Errors)
{
    public const string Error = "error";

    public static RowOutcome Refused(int row, params CellError[] errors) => new(row, Error, errors);
}

public sealed record CellError(string Column, string Message);

/// <summary>An import's report: every row's outcome, the counts per outcome, and whether it was applied — all rows in one
/// transaction, or none (a dry run, or any row in error).</summary>
public sealed record ImportReport(bool DryRun, bool Applied, int Rows, IReadOnlyDictionary<string, int> Outcomes, IReadOnlyList<RowOutcome> Results);

/// <summary>Reading and writing the merchant's bulk files (prices, kits, matches, listings), and answering an import.</summary>
public static class BulkFile
{
    public const int MaxBytes = 5 * 1024 * 1024;
    public const int MaxRows = 10_000;

    public const string CsvType = "text/csv";
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>The format asked with <c>?format=</c> (csv by default).</summary>
    public static BulkFormat FormatOf(string? format) => format?.ToLowerInvariant() switch
    {
        null or "" or "csv" => BulkFormat.Csv,
        "xlsx" => BulkFormat.Xlsx,
        _ => throw PlatformProblem.Field("format", "must be csv or xlsx"),
    };

    /// <summary>The rows of the request's body (Content-Type text/csv or the .xlsx type; a body starting as a zip is taken for
    /// .xlsx), checked against the columns: a missing required column or an unknown one is a 400 naming it, before any row is read.</summary>
    public static async Task<List<BulkRow>> ReadAsync(HttpRequest request, IReadOnlyList<string> required, IReadOnlyList<string> optional, CancellationToken ct)
    {
        if (request.ContentLength > MaxBytes)
        {
            throw new PlatformProblem(StatusCodes.Status413PayloadTooLarge, "File too large", $"A bulk file is at most {MaxBytes / 1024 / 1024} MB; split it.");
        }

        var body = new MemoryStream();
        await request.Body.CopyToAsync(body, ct);
        if (body.Length > MaxBytes)
        {
            throw new PlatformProblem(StatusCodes.Status413PayloadTooLarge, "File too large", $"A bulk file is at most {MaxBytes / 1024 / 1024} MB; split it.");
        }

        if (body.Length == 0)
        {
            throw PlatformProblem.Field("file", "is empty: send the CSV or .xlsx file as the request body");
        }

        body.Position = 0;
        var bytes = body.GetBuffer();
        var type = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var xlsx = type == XlsxType || (type is null or "application/octet-stream" && bytes[0] == (byte)'P' && bytes[1] == (byte)'K');
        if (!xlsx && type is not (null or CsvType or "text/plain" or "application/octet-stream"))
        {
            throw new PlatformProblem(StatusCodes.Status415UnsupportedMediaType, "Unsupported file type",
                $"Send the file as {CsvType} or {XlsxType} (it was {type}).");
        }

        var table = xlsx ? ReadXlsx(body) : ReadCsv(body);
        var columns = table.Columns;
        var missing = required.Where(c => !columns.Contains(c)).ToList();
        var unknown = columns.Where(c => !required.Contains(c) && !optional.Contains(c)).ToList();
        var errors = new Dictionary<string, string[]>();
        if (missing.Count > 0) errors["columns"] = [$"missing {string.Join(", ", missing)} (the header row names the columns: {string.Join(", ", required.Concat(optional))})"];
        if (unknown.Count > 0) errors["columns"] = [.. errors.GetValueOrDefault("columns") ?? [], $"unknown {string.Join(", ", unknown)}: the columns are {string.Join(", ", required.Concat(optional))}"];
        if (errors.Count > 0) throw new PlatformProblem(StatusCodes.Status400BadRequest, "The file is not valid", string.Join(" ", errors["columns"]), errors);
        if (table.Rows.Count > MaxRows) throw PlatformProblem.Field("file", $"has {table.Rows.Count:N0} rows; at most {MaxRows:N0} in one file");
        return table.Rows;
    }

    private static (List<string> Columns, List<BulkRow> Rows) ReadCsv(Stream body)
    {
        using var reader = new StreamReader(body, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { DetectDelimiter = true, BadDataFound = null });
        if (!csv.Read() || !csv.ReadHeader())
        {
            throw PlatformProblem.Field("file", "has no header row");
        }

        var columns = csv.HeaderRecord!.Select(Column).ToList();
        var rows = new List<BulkRow>();
        while (csv.Read())
        {
            var cells = new Dictionary<string, string?>();
            for (var i = 0; i < columns.Count; i++)
            {
                cells[columns[i]] = Cell(csv.GetField(i));
            }

            if (cells.Values.Any(v => v is not null))
            {
                rows.Add(new BulkRow(csv.Parser.Row, cells));
            }
        }

        return (columns, rows);
    }

    private static (List<string> Columns, List<BulkRow> Rows) ReadXlsx(Stream body)
    {
        List<IDictionary<string, object?>> sheet;
        try
        {
            sheet = body.Query(useHeaderRow: false, excelType: ExcelType.XLSX).Cast<IDictionary<string, object?>>().ToList();
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or System.Xml.XmlException or FormatException or IndexOutOfRangeException)
        {
            throw PlatformProblem.Field("file", "is not a readable .xlsx workbook (save it again from Excel, or send CSV)");
        }

        if (sheet.Count == 0)
        {
            throw PlatformProblem.Field("file", "has no header row");
        }

        // Columns by letter (A, B, …) from the header row; the row number is the sheet's own.
        var header = sheet[0].Where(c => Cell(Text(c.Value)) is not null).ToDictionary(c => c.Key, c => Column(Text(c.Value)!));
        var rows = new List<BulkRow>();
        for (var i = 1; i < sheet.Count; i++)
        {
            var cells = header.ToDictionary(h => h.Value, h => Cell(Text(sheet[i].TryGetValue(h.Key, out var v) ? v : null)));
            if (cells.Values.Any(v => v is not null))
            {
                rows.Add(new BulkRow(i + 1, cells));
            }
        }

        return (header.Values.ToList(), rows);
    }

    private static string Column(string header) => header.Trim().TrimStart('\uFEFF').ToLowerInvariant().Replace(' ', '_');

    private static string? Cell(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>A cell as text; a number Excel stored as a double is written without its float noise.</summary>
    private static string? Text(object? value) => value switch
    {
        null => null,
        double d => d.ToString("0.############", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    /// <summary>A file download: the columns as its header row, then the rows.</summary>
    public static IResult Write(string name, BulkFormat format, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var stream = new MemoryStream();
        if (format == BulkFormat.Xlsx)
        {
            var sheet = rows.Select(r => (IDictionary<string, object?>)columns.Select((c, i) => (c, (object?)r[i])).ToDictionary(p => p.c, p => p.Item2)).ToList();
            if (sheet.Count == 0)
            {
                // MiniExcel writes no header for no rows: one empty row keeps the columns visible.
                sheet.Add(columns.ToDictionary(c => c, _ => (object?)null));
            }

            stream.SaveAs(sheet, excelType: ExcelType.XLSX);
        }
        else
        {
            using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true))
            using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
            {
                foreach (var column in columns) csv.WriteField(column);
                csv.NextRecord();
                foreach (var row in rows)
                {
                    foreach (var cell in row) csv.WriteField(cell);
                    csv.NextRecord();
                }
            }
        }

        stream.Position = 0;
        return Results.File(stream, format == BulkFormat.Xlsx ? XlsxType : CsvType + "; charset=utf-8", $"{name}.{(format == BulkFormat.Xlsx ? "xlsx" : "csv")}");
    }

    /// <summary>The import's answer: 200 with the report when it was a dry run or was applied; 422 with the report when a row
    /// is in error and nothing was applied.</summary>
    public static IResult Answer(IReadOnlyList<RowOutcome> results, bool dryRun, bool applied)
    {
        var report = new ImportReport(dryRun, applied, results.Count,
            results.GroupBy(r => r.Outcome).ToDictionary(g => g.Key, g => g.Count()), results.OrderBy(r => r.Row).ToList());
        if (dryRun || applied)
        {
            return Results.Ok(report);
        }

        var errors = results.Count(r => r.Outcome == RowOutcome.Error);
        return ApiErrors.Problem(StatusCodes.Status422UnprocessableEntity, "Nothing imported",
            $"{errors} row(s) of {results.Count} are in error; nothing was changed. Correct them (each names its column) and import again, or check with ?dryRun=true.",
            new Dictionary<string, object?> { ["report"] = report });
    }

    /// <summary>A decimal cell in the invariant culture (a dot for decimals), or the error naming the column.</summary>
    public static decimal? Decimal(BulkRow row, string column, List<CellError> errors)
    {
        if (row[column] is not { } text)
        {
            return null;
        }

        if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add(new CellError(column, $"'{text}' is not a number (use a dot for decimals, no currency sign)"));
        return null;
    }

    /// <summary>An integer cell, or the error naming the column.</summary>
    public static int? Integer(BulkRow row, string column, List<CellError> errors)
    {
        if (row[column] is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add(new CellError(column, $"'{text}' is not a whole number"));
        return null;
    }
}
