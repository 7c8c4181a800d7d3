import * as vscode from 'vscode';
import { FileTools } from '../../core/chatTools/fileTools';
import { FleetTools, type Budget } from '../../core/chatTools/fleetTools';
import type { ChatToolDeps } from './chatToolDeps';

export const LIST_MACHINES_TOOL = 'cmdop_listMachines';
export const RUN_COMMAND_TOOL = 'cmdop_runCommand';
export const READ_FILE_TOOL = 'cmdop_readFile';
export const SEARCH_FILES_TOOL = 'cmdop_searchFiles';

/**
 * Registers the chat agent's CMDOP tools (declared under languageModelTools in package.json). Nothing is
 * built until a tool is first called, so activation pays only for the registration; `deps` is read per
 * call because the services are rebuilt when the mode or endpoints change.
 */
export function registerChatTools(deps: () => ChatToolDeps | undefined): vscode.Disposable {
  let built: { deps: ChatToolDeps; tools: FleetTools; files: FileTools } | undefined;
  const current = () => {
    const now = deps();
    if (!now) return undefined;
    if (built?.deps !== now) {
      const tools = new FleetTools(now);
      built = { deps: now, tools, files: new FileTools(now, tools) };
    }
    return built;
  };
  const tools = (): FleetTools | undefined => current()?.tools;
  const files = (): FileTools | undefined => current()?.files;
  const unconfigured = 'CMDOP is not configured correctly in this window (see "CMDOP: Show Log"); ask the user to fix the cmdop settings.';
  return vscode.Disposable.from(
    vscode.lm.registerTool<unknown>(LIST_MACHINES_TOOL, {
      async invoke(options, token) {
        const t = tools();
        return answer(t ? await t.listMachines(options.input, budgetOf(options, token)) : unconfigured);
      },
    }),
    // Read-only tools: no confirmation (nothing changes on the machine), as for listing machines.
    vscode.lm.registerTool<unknown>(READ_FILE_TOOL, {
      async invoke(options, token) {
        const f = files();
        return answer(f ? await f.readFile(options.input, budgetOf(options, token)) : unconfigured);
      },
    }),
    vscode.lm.registerTool<unknown>(SEARCH_FILES_TOOL, {
      async invoke(options, token) {
        const f = files();
        return answer(f ? await f.searchFiles(options.input, budgetOf(options, token)) : unconfigured);
      },
    }),
    vscode.lm.registerTool<unknown>(RUN_COMMAND_TOOL, runCommandTool(tools, unconfigured)),
  );
}

/** Runs a command on machines for the chat agent, after VS Code's confirmation (prepared from the input alone). */
function runCommandTool(tools: () => FleetTools | undefined, unconfigured: string): vscode.LanguageModelTool<unknown> {
  return {
    // Answers from the input and local state only: VS Code waits on this before showing the confirmation.
    prepareInvocation(options) {
      const prepared = tools()?.prepareRun(options.input);
      if (!prepared) return { invocationMessage: 'Checking the CMDOP settings' };
      return {
        invocationMessage: prepared.invocationMessage,
        confirmationMessages: prepared.confirmation && {
          title: prepared.confirmation.title,
          message: new vscode.MarkdownString(prepared.confirmation.message),
        },
      };
    },
    async invoke(options, token) {
      const t = tools();
      if (!t) return answer(unconfigured);
      const abort = new AbortController();
      // Cancelling the chat request cancels the run: its sessions are closed.
      const subscription = token.onCancellationRequested(() => abort.abort());
      try {
        return answer(await t.runCommand(options.input, abort.signal, budgetOf(options, token)));
      } finally {
        subscription.dispose();
      }
    },
  };
}

function budgetOf(options: vscode.LanguageModelToolInvocationOptions<unknown>, token: vscode.CancellationToken): Budget {
  const tokenization = options.tokenizationOptions;
  if (!tokenization) return {};
  return { tokens: tokenization.tokenBudget, count: async (text) => tokenization.countTokens(text, token) };
}

function answer(text: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
}
