/** A target instance's connection fields (name, site, account, token, Assets API base), wherever one is typed in. */
import type { TargetInput } from '../lib/restore-form.js';
import { TextField } from './Fields.js';

type PerInput<T> = Partial<Record<keyof TargetInput, T>>;

export function TargetInputFields({
  values,
  errors,
  ids = {},
  labels,
  onChange,
}: {
  values: TargetInput;
  errors: PerInput<string | undefined>;
  ids?: PerInput<string>;
  /** the labels that depend on where the fields stand */
  labels: { name: string; url: string; assetsApiBaseUrl: string };
  onChange: (patch: Partial<TargetInput>) => void;
}) {
  return (
    <>
      <div className="form-row">
        <TextField
          id={ids.name}
          label={labels.name}
          value={values.name}
          error={errors.name}
          onChange={(e) => onChange({ name: e.target.value })}
        />
        <TextField
          id={ids.url}
          label={labels.url}
          type="url"
          placeholder="https://other-site.atlassian.net"
          value={values.url}
          error={errors.url}
          onChange={(e) => onChange({ url: e.target.value })}
        />
      </div>
      <div className="form-row">
        <TextField
          id={ids.email}
          label="Account e-mail"
          type="email"
          autoComplete="off"
          value={values.email}
          error={errors.email}
          onChange={(e) => onChange({ email: e.target.value })}
        />
        <TextField
          id={ids.apiToken}
          label="Account API token"
          type="password"
          autoComplete="new-password"
          value={values.apiToken}
          error={errors.apiToken}
          onChange={(e) => onChange({ apiToken: e.target.value })}
        />
      </div>
      <TextField
        id={ids.assetsApiBaseUrl}
        label={labels.assetsApiBaseUrl}
        type="url"
        value={values.assetsApiBaseUrl}
        hint="Leave empty for Atlassian's gateway."
        error={errors.assetsApiBaseUrl}
        onChange={(e) => onChange({ assetsApiBaseUrl: e.target.value })}
      />
    </>
  );
}
