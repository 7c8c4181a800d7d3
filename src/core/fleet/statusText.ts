import { sourceLabel } from '../credentials/credential';
import { iconLabel, labelLines, markdownText, MESSAGE_LIMIT } from '../display/safeText';
import type { ActiveContext } from './fleetContext';

/**
 * The status bar's text and tooltip. The text renders `$(icon)` and the tooltip is Markdown with theme icons,
 * so the fleet name, its id and the identity (all from a server) are neutralised here, the one place for both.
 */
export function activeStatus(active: ActiveContext): { text: string; tooltipMarkdown: string } {
  const { fleet, credential, identity, expiresAt } = active;
  const source = sourceLabel(credential.source);
  const tooltip = [
    `**CMDOP** — ${markdownText(identity)}`,
    `Fleet: **${markdownText(fleet.name)}** (${markdownText(fleet.id)})`,
    `Role: ${markdownText(fleet.role)}${fleet.role === 'Guest' ? ' (observer-only)' : ''}`,
    `Credential: ${source}`,
    `Expires: ${expiresAt ? new Date(expiresAt).toLocaleString() : 'never'}`,
    'Click to switch fleet.',
  ];
  return { text: `${iconLabel('cloud', fleet.name)} · ${source}`, tooltipMarkdown: tooltip.join('\n\n') };
}

/** The plain tooltip of the status bar when the credential has a problem (its text may carry a server's words). */
export function problemTooltip(message: string): string {
  return labelLines(message, MESSAGE_LIMIT, 10);
}
