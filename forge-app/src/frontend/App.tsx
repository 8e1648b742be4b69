import React, { useState } from 'react';
import { Stack, Tab, TabList, TabPanel, Tabs } from '@forge/react';
import { BackupConfiguration } from './BackupConfiguration';
import { RestoreTab } from './restore/RestoreTab';
import { TrustedUsers } from './TrustedUsers';
import { VaultStatus } from './VaultStatus';

/** The Apps menu page: the seed product's top menu as tabs, with the vault connection above. */
export function App() {
  // Bumped after every change that sends an event, so the connection panel shows its outcome.
  const [refreshKey, setRefreshKey] = useState(0);
  const changed = () => setRefreshKey((key) => key + 1);
  const [tab, setTab] = useState(0);
  return (
    <Stack space="space.300">
      <VaultStatus refreshKey={refreshKey} />
      <Tabs id="assets-backup-vault-menu" selected={tab} onChange={(index: number) => setTab(index)}>
        <TabList>
          <Tab>Assets backup vault</Tab>
          <Tab>Backup configuration</Tab>
          <Tab>Restore</Tab>
        </TabList>
        <TabPanel>
          <TrustedUsers onChanged={changed} />
        </TabPanel>
        <TabPanel>
          <BackupConfiguration onChanged={changed} />
        </TabPanel>
        <TabPanel>
          {/* "Schedule" in an empty backups grid: schedules are set under Backup configuration */}
          <RestoreTab onSchedule={() => setTab(1)} />
        </TabPanel>
      </Tabs>
    </Stack>
  );
}
