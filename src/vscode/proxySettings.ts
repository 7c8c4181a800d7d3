import * as vscode from 'vscode';
import type { ProxySettings } from '../core/network/proxy';

/** VS Code's own proxy settings (the `http` section), as the REST API and the identity provider honour them. */
export function readProxySettings(): ProxySettings {
  const http = vscode.workspace.getConfiguration('http');
  return {
    proxy: http.get<string>('proxy') || undefined,
    strictSSL: http.get<boolean>('proxyStrictSSL', true),
    authorization: http.get<string | null>('proxyAuthorization') || undefined,
    noProxy: http.get<string[]>('noProxy', []) ?? [],
    support: http.get<string>('proxySupport'),
  };
}
