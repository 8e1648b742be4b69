/// <reference types="vite/client" />
declare module 'virtual:ds-theme.css';
