// The .NET side of scopesim's differential regex test (tests/regex_dotnet.rs).
//
// Reads commands from standard input, one per line, and answers each `I` line with one
// line on standard output:
//   P <hex>   compile the pattern whose UTF-8 bytes are <hex> (RegexOptions.None)
//   I <hex>   print `1` or `0`: Regex.IsMatch(input, pattern), input given as UTF-8 hex;
//             `E <message>` when the pattern was rejected, `T` when the match timed out,
//             `X <exception>` when the engine itself failed
// Patterns and inputs travel as hex so that any character (newlines, tabs, astral
// characters) survives the pipe. Matching uses the current culture, as Entra's
// `Regex.IsMatch(value, pattern)` does; the test runs it under the invariant culture.
using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;

static class IsMatch
{
    static string FromHex(string hex)
    {
        var bytes = new byte[hex.Length / 2];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = Convert.ToByte(hex.Substring(2 * i, 2), 16);
        return new UTF8Encoding(false, true).GetString(bytes);
    }

    static void Main()
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
        var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
        stdout.NewLine = "\n";
        Regex regex = null;
        string error = null;
        string line;
        while ((line = stdin.ReadLine()) != null)
        {
            if (line.StartsWith("P "))
            {
                regex = null;
                error = null;
                try
                {
                    regex = new Regex(FromHex(line.Substring(2)), RegexOptions.None, TimeSpan.FromSeconds(2));
                }
                catch (ArgumentException e)
                {
                    error = e.Message.Replace('\n', ' ').Replace('\r', ' ');
                }
            }
            else if (line.StartsWith("I "))
            {
                if (regex == null)
                {
                    stdout.WriteLine("E " + error);
                    continue;
                }
                try
                {
                    stdout.WriteLine(regex.IsMatch(FromHex(line.Substring(2))) ? "1" : "0");
                }
                catch (RegexMatchTimeoutException)
                {
                    stdout.WriteLine("T");
                }
                catch (Exception e)
                {
                    // An engine bug (Mono's interpreter can index out of range).
                    stdout.WriteLine("X " + e.GetType().Name);
                }
            }
        }
        stdout.Flush();
    }
}
