// Drive mcp-server-openrouter with the official TypeScript SDK client, as a real MCP host would.
//
//   node ts-client.mjs stdio <command> [args...]
//   node ts-client.mjs http  <url>          (streamable HTTP, e.g. http://127.0.0.1:8000/mcp)
//   node ts-client.mjs sse   <url>          (legacy SSE, e.g. http://127.0.0.1:8000/sse)
//
// Lists tools and compiles every input and output schema with Ajv; calls each tool with real
// arguments (the SDK client validates structuredContent against outputSchema itself); pages
// through resources/list by cursor; reads a resource; completes a model ID; lists the prompts and
// renders one. Prints one JSON
// report on stdout and exits 1 on any failure. Environment for stdio: inherited.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import Ajv from "ajv";

const [kind, target, ...rest] = process.argv.slice(2);

function transportFor() {
  if (kind === "stdio") {
    return new StdioClientTransport({ command: target, args: rest, env: process.env, stderr: "ignore" });
  }
  if (kind === "http") return new StreamableHTTPClientTransport(new URL(target));
  if (kind === "sse") return new SSEClientTransport(new URL(target));
  throw new Error(`unknown transport ${kind}`);
}

const NEEDS_KEY = new Set(["list_models_for_user", "list_model_rankings"]);
const CALLS = {
  list_models: { supported_parameters: ["tools"], min_context: 128000, max_price: 1, limit: 5 },
  count_models: { output_modalities: ["all"] },
  get_model: { ids: ["openrouter/auto", "anthropic/claude-sonnet-4.5"] },
  list_models_for_user: { limit: 3 },
  list_model_endpoints: { id: "anthropic/claude-sonnet-4.5", sort: "throughput" },
  estimate_cost: { ids: ["openrouter/auto", "anthropic/claude-sonnet-4.5"], input_tokens: 250000, output_tokens: 1000, requests: 10 },
  recommend_models: { task: "coding", supported_parameters: ["tools"], limit: 4 },
  list_model_rankings: { period: "week", limit: 5 },
  list_catalog_changes: { since: "2026-01-01", limit: 5 },
};

async function main() {
  const report = { transport: kind, checks: [] };
  const check = (name, ok, detail) => {
    report.checks.push({ name, ok, ...(detail === undefined ? {} : { detail }) });
    if (!ok) throw new Error(`${name} failed: ${JSON.stringify(detail)}`);
  };
  const client = new Client({ name: "ts-interop", version: "1.0.0" });
  const timer = setTimeout(() => {
    console.error("timed out");
    process.exit(1);
  }, 60_000);
  try {
    await client.connect(transportFor());
    report.protocolVersion = client.transport?.protocolVersion ?? null;
    const caps = client.getServerCapabilities();
    check("capabilities", Boolean(caps?.tools && caps?.resources && caps?.completions && caps?.prompts), caps);

    const { tools } = await client.listTools();
    check("tools/list", tools.length === Object.keys(CALLS).length, tools.map((t) => t.name));
    const ajv = new Ajv({ strict: false, allErrors: true });
    for (const tool of tools) {
      ajv.compile(tool.inputSchema);
      check(`inputSchema ${tool.name}`, true);
      if (tool.outputSchema) {
        ajv.compile(tool.outputSchema);
        check(`outputSchema ${tool.name}`, true);
      }
    }
    for (const tool of tools) {
      const result = await client.callTool({ name: tool.name, arguments: CALLS[tool.name] ?? {} });
      const text = result.content?.[0]?.text ?? "";
      if (NEEDS_KEY.has(tool.name)) {  // the interop servers run without a key
        check(`tools/call ${tool.name}`, result.isError === true && text.includes("OPENROUTER_API_KEY"), text);
      } else {
        check(`tools/call ${tool.name}`, !result.isError && result.structuredContent !== undefined, text.slice(0, 120));
      }
    }

    const names = [];
    let cursor;
    let pages = 0;
    do {
      const page = await client.listResources(cursor ? { cursor } : {});
      names.push(...page.resources.map((r) => r.name));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 50);
    check("resources/list paged", names.length > 100 && new Set(names).size === names.length, { models: names.length, pages });

    const templates = await client.listResourceTemplates();
    check("resources/templates/list", templates.resourceTemplates[0]?.uriTemplate === "openrouter://models/{+id}");

    const read = await client.readResource({ uri: "openrouter://models/~anthropic/claude-haiku-latest" });
    const body = JSON.parse(read.contents[0].text);
    check("resources/read", body.id === "~anthropic/claude-haiku-latest" && body.derived !== undefined, body.id);

    const completion = await client.complete({
      ref: { type: "ref/resource", uri: "openrouter://models/{+id}" },
      argument: { name: "id", value: "anthropic/claude" },
    });
    const values = completion.completion.values;
    check("completion/complete", values.length > 0 && values.every((v) => v.includes("claude")), values.slice(0, 3));

    const { prompts } = await client.listPrompts();
    const listed = prompts.map((p) => `${p.name}(${(p.arguments ?? []).map((a) => a.name + (a.required ? "!" : "")).join(",")})`);
    check("prompts/list", listed.join(" ") === "pick-model(task!,budget,must_haves) compare-models(ids!) workload-cost(workload!,ids) whats-new(since)", listed);
    const prompt = await client.getPrompt({ name: "compare-models", arguments: { ids: "openai/gpt-4o ~anthropic/claude-haiku-latest" } });
    const said = prompt.messages[0]?.content?.text ?? "";
    check("prompts/get", said.startsWith("Compare these OpenRouter models: openai/gpt-4o, ~anthropic/claude-haiku-latest."), said.slice(0, 120));
    report.ok = true;
  } catch (error) {
    report.ok = false;
    report.error = String(error?.stack ?? error);
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => {});
  }
  console.log(JSON.stringify(report));
  process.exit(report.ok ? 0 : 1);
}

main();
