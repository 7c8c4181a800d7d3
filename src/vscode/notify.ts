import * as vscode from 'vscode';
import { MESSAGE_LIMIT, MODAL_LIMIT, notificationDetail, notificationText } from '../core/display/safeText';

/**
 * The one way the extension shows a notification or a modal. `show*Message` renders `[label](command:…)` as a live
 * link and `$(…)` as a codicon, and our messages carry hostnames, fleet and key names and servers' error texts, so
 * the message and its detail are neutralised here (a modal keeps a whole command visible; a toast is cut sooner).
 */
type Show = <T extends string>(message: string, ...rest: [vscode.MessageOptions, ...T[]] | T[]) => Thenable<T | undefined>;

function neutralised(show: (message: string, ...rest: unknown[]) => Thenable<unknown>): Show {
  return <T extends string>(message: string, ...rest: [vscode.MessageOptions, ...T[]] | T[]) => {
    const [first, ...items] = rest;
    if (typeof first !== 'object' || first === null) return show(notificationText(message), ...rest) as Thenable<T | undefined>;
    const limit = first.modal ? MODAL_LIMIT : MESSAGE_LIMIT;
    const options = first.detail === undefined ? first : { ...first, detail: notificationDetail(first.detail, limit) };
    return show(notificationText(message, limit), options, ...items) as Thenable<T | undefined>;
  };
}

export const showInformation: Show = neutralised((m, ...r) => vscode.window.showInformationMessage(m, ...(r as string[])));
export const showWarning: Show = neutralised((m, ...r) => vscode.window.showWarningMessage(m, ...(r as string[])));
export const showError: Show = neutralised((m, ...r) => vscode.window.showErrorMessage(m, ...(r as string[])));
