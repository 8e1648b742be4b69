import React, { type ReactNode } from 'react';
import {
  Button,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  ModalTitle,
  ModalTransition,
  SectionMessage,
  Text,
} from '@forge/react';

/** The outcome of the last action on a page, shown above its content. */
export type Notice = { appearance: 'success' | 'error' | 'warning'; text: string };
export type Option<T> = { label: string; value: T };

export function NoticeMessage({ notice }: { notice: Notice | null }) {
  if (!notice) return null;
  return (
    <SectionMessage appearance={notice.appearance}>
      <Text>{notice.text}</Text>
    </SectionMessage>
  );
}

/** A destructive action's confirmation: open while `title` is set; Cancel and the danger button close it. */
export function ConfirmDanger({
  title,
  children,
  confirmLabel,
  isBusy,
  onConfirm,
  onCancel,
}: {
  title: string | undefined;
  children: ReactNode;
  confirmLabel: string;
  isBusy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ModalTransition>
      {title !== undefined && (
        <Modal onClose={onCancel}>
          <ModalHeader>
            <ModalTitle appearance="danger">{title}</ModalTitle>
          </ModalHeader>
          <ModalBody>
            <Text>{children}</Text>
          </ModalBody>
          <ModalFooter>
            <Button appearance="subtle" onClick={onCancel}>
              Cancel
            </Button>
            <Button appearance="danger" isDisabled={isBusy} onClick={onConfirm}>
              {confirmLabel}
            </Button>
          </ModalFooter>
        </Modal>
      )}
    </ModalTransition>
  );
}
