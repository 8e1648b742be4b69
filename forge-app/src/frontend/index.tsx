// The manifest's UI Kit resource: only this file renders into Jira, so components stay importable in tests.
import React from 'react';
import ForgeReconciler from '@forge/react';
import { App } from './App';

ForgeReconciler.render(
  <React.StrictMode>
    <App />
  </React.StrictMode>,
);
