import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import NeuronPlayground from './components/NeuronPlayground.vue';
import TrainDemo from './components/TrainDemo.vue';
import DrawDemo from './components/DrawDemo.vue';
import ExperimentResult from './components/ExperimentResult.vue';
import './demo.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('NeuronPlayground', NeuronPlayground);
    app.component('TrainDemo', TrainDemo);
    app.component('DrawDemo', DrawDemo);
    app.component('ExperimentResult', ExperimentResult);
  },
} satisfies Theme;
