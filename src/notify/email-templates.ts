import { Liquid } from 'liquidjs';
import type { FailureReport } from './types';
import { errorSummary, headline, operatorActions, reportFacts, WEB_UI_LINK_TEXT } from './summary';

// Kept as string constants rather than .liquid files so the build needs no asset-copy step.
const TEXT_TEMPLATE = `{{ headline }}

{% for fact in facts -%}
{{ fact.label }}: {{ fact.value }}
{% endfor %}
Last error:
{{ error }}

{{ linkText }}:
{{ webUiUrl }}

What you can do:
{% for action in actions -%}
- {{ action.description }}:
    {{ action.command }}
{% endfor -%}
`;

const HTML_TEMPLATE = `<!DOCTYPE html>
<html><body style="font-family: sans-serif">
<h2>{{ headline }}</h2>
<table cellpadding="4" style="border-collapse: collapse">
{%- for fact in facts %}
<tr><th align="left">{{ fact.label }}</th><td><code>{{ fact.value }}</code></td></tr>
{%- endfor %}
</table>
<h3>Last error</h3>
<pre style="white-space: pre-wrap">{{ error }}</pre>
<p><a href="{{ webUiUrl }}">{{ linkText }}</a></p>
<h3>What you can do</h3>
<ul>
{%- for action in actions %}
<li>{{ action.description }}:<br><code>{{ action.command }}</code></li>
{%- endfor %}
</ul>
</body></html>
`;

// strictVariables turns a typo in a template into an error instead of a silently empty field.
const textEngine = new Liquid({ strictVariables: true, ownPropertyOnly: true });
const htmlEngine = new Liquid({ strictVariables: true, ownPropertyOnly: true, outputEscape: 'escape' });
const textTemplate = textEngine.parse(TEXT_TEMPLATE);
const htmlTemplate = htmlEngine.parse(HTML_TEMPLATE);

export interface EmailBodies {
  text: string;
  html: string;
}

/** Renders both bodies from a report that has already been bounded. */
export async function renderEmailBodies(report: FailureReport): Promise<EmailBodies> {
  const scope = {
    headline: headline(report),
    facts: reportFacts(report),
    error: errorSummary(report),
    linkText: WEB_UI_LINK_TEXT,
    webUiUrl: report.webUiUrl,
    actions: operatorActions(report),
  };
  const [text, html] = await Promise.all([
    textEngine.render(textTemplate, scope),
    htmlEngine.render(htmlTemplate, scope),
  ]);
  return { text, html };
}
