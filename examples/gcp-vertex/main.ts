/** `cdktf synth` entry point (see cdktf.json): synthesizes offline, no Google credentials needed. */
import { buildVertexExampleApp } from './stack';

buildVertexExampleApp().synth();
