import { Type, type Static } from '@sinclair/typebox';

export const ProviderName = Type.Union([Type.Literal('google'), Type.Literal('microsoft')]);

export const LoginQuery = Type.Object({
  site: Type.String({
    minLength: 1,
    maxLength: 2048,
    description: 'The Jira site URL, e.g. https://acme.atlassian.net',
  }),
  provider: ProviderName,
});
export type LoginQuery = Static<typeof LoginQuery>;

export const ProviderParams = Type.Object({ provider: ProviderName });

/** What providers send back; the handler reads the raw query so nothing is lost to validation. */
export const CallbackQuery = Type.Object(
  {
    code: Type.Optional(Type.String()),
    state: Type.Optional(Type.String()),
    iss: Type.Optional(Type.String()),
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

export const Me = Type.Object({
  site: Type.Object({ siteUrl: Type.String(), cloudId: Type.String() }),
  email: Type.String(),
  provider: ProviderName,
});

export const LoginOptions = Type.Object({
  providers: Type.Object({ google: Type.Boolean(), microsoft: Type.Boolean() }),
  /** `ALLOW_INSECURE_SITE_URLS` (never in production): the local emulator's http:// sites are accepted */
  allowInsecureSiteUrls: Type.Boolean(),
});

export const ErrorBody = Type.Object({
  error: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
});

export const Redirect = Type.Null({ description: 'Redirect; see the Location header' });
export const HtmlPage = Type.String({ description: 'text/html page' });
export const NoContent = Type.Null({ description: 'No content' });
