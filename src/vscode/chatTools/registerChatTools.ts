import * as vscode from 'vscode';
import { FleetTools, type FleetToolsDeps, type Budget } from '../../core/chatTools/fleetTools';

export const LIST_MACHINES_TOOL = 'cmdop_listMachines';
export const RUN_COMMAND_TOOL = 'cmdop_runCommand';

/**
 * Registers the chat agent's CMDOP tools (declared under languageModelTools in package.json). Nothing is
 * built until a tool is first called, so activation pays only for the registration; `deps` is read per
 * call because the services are rebuilt when the mode or endpoints change.
 */
export function registerChatTools(deps: () => FleetToolsDeps | undefined): vscode.Disposable {
  let built: { deps: FleetToolsDeps; tools: FleetTools } | undefined;
  const tools = (): FleetTools | undefined => {
    const current = deps();
    if (!current) return undefined;
    if (built?.deps !== current) built = { deps: current, tools: new FleetTools(current) };
    return built.tools;
  };
  const unconfigured = 'CMDOP is not configured correctly in this window (see "CMDOP: Show Log"); ask the user to fix the cmdop settings.';
  return vscode.Disposable.from(
    vscode.lm.registerTool<unknown>(LIST_MACHINES_TOOL, {
      async invoke(options, token) {
        const t = tools();
        return answer(t ? await t.listMachines(options.input, budgetOf(options, token)) : unconfigured);
      },
    }),
    vscode.lm.registerTool<unknown>(RUN_COMMAND_TOOL, {
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
    }),
  );
}

function budgetOf(options: vscode.LanguageModelToolInvocationOptions<unknown>, token: vscode.CancellationToken): Budget {
  const tokenization = options.tokenizationOptions;
  if (!tokenization) return {};
  return { tokens: tokenization.tokenBudget, count: async (text) => tokenization.countTokens(text, token) };
}

function answer(text: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
}
