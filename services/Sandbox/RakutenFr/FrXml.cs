using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Rakuten.Platform.Sandbox.RakutenFr;

/// <summary>Rakuten France answers in ISO-8859-1 XML, each document in a namespace of its own (§A.0 point 3).</summary>
public sealed class FrXml(XElement root, int status = 200) : IResult
{
    public XElement Root => root;

    public int Status => status;

    public static XElement Document(string rootName, string schema, XElement request, XElement response)
    {
        XNamespace ns = $"http://pmcdn.priceminister.com/res/schema/{schema}";
        var doc = new XElement(ns + rootName, request, response);
        foreach (var element in doc.DescendantsAndSelf())
        {
            element.Name = ns + element.Name.LocalName;
        }

        return doc;
    }

    public static XElement Error(string type, string code, string message, params string[] details)
    {
        XNamespace ns = "https://static.fr.shopping.rakuten.com/res/schema/error";
        return new XElement(ns + "errorresponse",
            new XElement(ns + "error",
                new XElement(ns + "type", type),
                new XElement(ns + "code", code),
                new XElement(ns + "message", message),
                new XElement(ns + "details", details.Select(d => new XElement(ns + "detail", new XCData(d))))));
    }

    public static XElement Money(string name, decimal amount) =>
        new(name, new XElement("amount", amount.ToString("0.0#", System.Globalization.CultureInfo.InvariantCulture)), new XElement("currency", "EUR"));

    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/xml; charset=ISO-8859-1";
        // The declaration is written by hand: XmlWriter would spell the encoding "iso-8859-1", the samples "ISO-8859-1".
        var settings = new XmlWriterSettings { Encoding = Encoding.Latin1, Indent = true, Async = true, OmitXmlDeclaration = true };
        using var buffer = new MemoryStream();
        buffer.Write(Encoding.ASCII.GetBytes("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"));
        await using (var writer = XmlWriter.Create(buffer, settings))
        {
            await root.SaveAsync(writer, http.RequestAborted);
        }

        await http.Response.Body.WriteAsync(buffer.ToArray(), http.RequestAborted);
    }
}
