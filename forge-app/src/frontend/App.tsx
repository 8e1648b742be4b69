import React, { useState } from 'react';
import { Stack, Tab, TabList, TabPanel, Tabs } from '@forge/react';
import { BackupConfiguration } from './BackupConfiguration';
import { RestoreTab } from './restore/RestoreTab';
import { TrustedUsers } from './TrustedUsers';
import { VaultStatus } from './VaultStatus';

const BACKUP_CONFIGURATION_TAB = 1;
const RESTORE_TAB = 2;

/** The Apps menu page: the seed product's top menu as tabs, with the vault connection above. */
export function App() {
  // Bumped after every change that sends an event, so the connection panel shows its outcome.
  const [refreshKey, setRefreshKey] = useState(0);
  const changed = () => setRefreshKey((key) => key + 1);
  const [tab, setTab] = useState(0);
  // the Restore tab asks the vault only once it was opened (UI Kit renders every panel's content)
  const [restoreOpened, setRestoreOpened] = useState(false);
  const select = (index: number) => {
    setTab(index);
    if (index === RESTORE_TAB) setRestoreOpened(true);
  };
  return (
    <Stack space="space.300">
      <VaultStatus refreshKey={refreshKey} />
      <Tabs id="assets-backup-vault-menu" selected={tab} onChange={select}>
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
          {restoreOpened && <RestoreTab onSchedule={() => select(BACKUP_CONFIGURATION_TAB)} />}
        </TabPanel>
      </Tabs>
    </Stack>
  );
}
